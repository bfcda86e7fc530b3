namespace Thresher.Core.Telemetry;

/// <summary>
/// Picks the rows of a long series worth drawing: the rows [from, to) are cut into buckets of equal width and,
/// in each bucket, the row of every series' smallest and largest finite value is kept (and the bucket's first and
/// last row). Every kept row is a real row, so all series stay aligned on one x axis, and a spike of any series —
/// however short — survives at its true height. NaN and ±∞ are skipped (they have no place on the axis).
/// </summary>
public static class MinMaxDownsampling
{
    /// <summary>
    /// Indices of the rows to keep, ascending. <paramref name="series"/>[s][i] is series s at row i (every series
    /// at least <paramref name="to"/> long). With at most <paramref name="points"/> rows in range, all of them;
    /// otherwise points / 2 buckets (at least 1), each giving its first and last row and each series' argmin and
    /// argmax: about <paramref name="points"/> rows when the series rise and fall together, never more than
    /// points / 2 × (2 + 2 × series).
    /// </summary>
    public static int[] Select(IReadOnlyList<IReadOnlyList<double>> series, int from, int to, int points)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, from);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        int count = to - from;
        if (count <= points) return [.. Enumerable.Range(from, count)];
        int buckets = points / 2;
        var kept = new List<int>(points * 2);
        var inBucket = new SortedSet<int>();
        for (int b = 0; b < buckets; b++)
        {
            // Bucket b holds rows [start, end): widths differ by at most one row.
            int start = from + (int)((long)count * b / buckets);
            int end = from + (int)((long)count * (b + 1) / buckets);
            inBucket.Clear();
            inBucket.Add(start);
            inBucket.Add(end - 1);
            foreach (var values in series) AddExtremes(values, start, end, inBucket);
            kept.AddRange(inBucket);
        }
        return [.. kept];
    }

    static void AddExtremes(IReadOnlyList<double> values, int start, int end, SortedSet<int> rows)
    {
        int low = -1, high = -1;
        for (int i = start; i < end; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v)) continue;
            if (low < 0 || v < values[low]) low = i;
            if (high < 0 || v > values[high]) high = i;
        }
        if (low >= 0) rows.Add(low);
        if (high >= 0) rows.Add(high);
    }
}
