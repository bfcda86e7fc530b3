using Thresher.Core.Telemetry;

namespace Thresher.Core.Tests.Telemetry;

public sealed class MinMaxDownsamplingTests
{
    [Fact]
    public void A_range_within_the_budget_keeps_every_row()
    {
        double[] values = [.. Enumerable.Range(0, 100).Select(i => (double)i)];
        Assert.Equal(Enumerable.Range(10, 50), MinMaxDownsampling.Select([values], 10, 60, points: 50));
    }

    [Fact]
    public void A_one_step_spike_in_100k_rows_survives_with_its_neighbours_order()
    {
        const int n = 100_000;
        var norm = new double[n];
        var loss = new double[n];
        for (int i = 0; i < n; i++) (norm[i], loss[i]) = (10 + Math.Sin(i * 0.01), 2 - i * 1e-5);
        norm[61_234] = 1e6;  // one exploding step
        loss[77_777] = -5;   // a dip in another series
        int[] rows = MinMaxDownsampling.Select([norm, loss], 0, n, points: 2000);

        Assert.Contains(61_234, rows);
        Assert.Contains(77_777, rows);
        Assert.Equal(rows.Order(), rows);               // ascending, so the x axis is monotonic
        Assert.Equal(rows.Distinct().Count(), rows.Length);
        Assert.InRange(rows.Length, 1000, 1000 * (2 + 2 * 2));
        Assert.Equal(0, rows[0]);
        Assert.Equal(n - 1, rows[^1]);
        Assert.Equal(1e6, rows.Max(i => norm[i]));
    }

    [Fact]
    public void Non_finite_values_are_never_chosen_as_extremes()
    {
        double[] values = [1, double.NaN, double.PositiveInfinity, 5, 2, double.NegativeInfinity, 3, 4];
        int[] rows = MinMaxDownsampling.Select([values], 0, values.Length, points: 2);

        // One bucket: its first and last row, the finite minimum (row 0) and maximum (row 3).
        Assert.Equal([0, 3, 7], rows);
    }

    [Fact]
    public void Every_bucket_gives_its_own_extremes()
    {
        // Two buckets of 5: each has its own peak, which a global min/max would miss.
        double[] values = [0, 9, 0, 0, 0, 0, 0, 0, 7, 0];
        int[] rows = MinMaxDownsampling.Select([values], 0, 10, points: 4);
        Assert.Equal([0, 1, 4, 5, 8, 9], rows);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        double[] values = [1, 2, 3];
        Assert.Throws<ArgumentOutOfRangeException>(() => MinMaxDownsampling.Select([values], 2, 1, points: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => MinMaxDownsampling.Select([values], 0, 3, points: 1));
    }
}
