using Thresher.Core.Async;

namespace Thresher.Core.Tests.Async;

/// <summary>The SSP gate: a worker at clock c starts only if c − min(clocks) ≤ s; it blocks and releases as pushes land.</summary>
public sealed class ClockTableTests
{
    [Fact]
    public void A_fast_worker_blocks_s_clocks_ahead_of_the_slowest_and_is_released_by_its_push()
    {
        var clocks = new ClockTable(workers: 2, staleness: 1);
        Assert.Equal(0, clocks.Start(0, long.MaxValue));
        Assert.Equal(0, clocks.Start(1, long.MaxValue)); // worker 1 stays in flight on clock 0: the slowest
        clocks.Finish(0);
        Assert.Equal(1, clocks.Start(0, long.MaxValue)); // 1 − 0 ≤ 1
        clocks.Finish(0);
        Assert.Equal(2, clocks.ClockOf(0));
        Assert.False(clocks.MayStart(0, long.MaxValue)); // 2 − 0 > 1: blocked
        Assert.Throws<InvalidOperationException>(() => clocks.Start(0, long.MaxValue));
        clocks.Finish(1);                               // the slowest pushes clock 0: version 1
        Assert.Equal(1, clocks.Version);
        Assert.True(clocks.MayStart(0, long.MaxValue));  // released: 2 − 1 ≤ 1
    }

    [Fact]
    public void Staleness_zero_makes_every_clock_a_barrier()
    {
        var clocks = new ClockTable(workers: 3, staleness: 0);
        for (int w = 0; w < 3; w++) clocks.Start(w, long.MaxValue);
        clocks.Finish(0);
        clocks.Finish(2);
        Assert.False(clocks.MayStart(0, long.MaxValue));
        Assert.False(clocks.MayStart(2, long.MaxValue));
        clocks.Finish(1);
        Assert.All(Enumerable.Range(0, 3), w => Assert.True(clocks.MayStart(w, long.MaxValue)));
        Assert.True(clocks.AlignedAt(1));
    }

    [Fact]
    public void The_hosts_limit_and_a_push_in_flight_close_the_gate_and_an_abandoned_read_reopens_it()
    {
        var clocks = new ClockTable(workers: 1, staleness: 5, start: 7);
        Assert.False(clocks.MayStart(0, limit: 7));   // the run's end, a checkpoint barrier: clock 7 may not start
        clocks.Start(0, limit: 8);
        Assert.False(clocks.MayStart(0, limit: 100)); // one push in flight per worker
        clocks.Abandon(0);
        Assert.Equal(7, clocks.Start(0, limit: 8));   // the same clock again
        clocks.Finish(0);
        Assert.Equal(8, clocks.Version);
        Assert.False(clocks.MayStart(0, limit: 8));
    }

    [Fact]
    public void A_push_without_a_read_is_refused()
    {
        var clocks = new ClockTable(workers: 2, staleness: 1);
        Assert.Throws<InvalidOperationException>(() => clocks.Finish(1));
    }

    [Theory]
    [InlineData(-1)]
    public void A_negative_staleness_is_refused(int staleness)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new ClockTable(2, staleness));
}
