namespace Thresher.Core.Async;

/// <summary>
/// The worker clocks of a stale-synchronous run (Ho et al. 2013, "More effective distributed ML via a stale synchronous
/// parallel parameter server"). clock[w] is the number of pushes of worker w the server has taken, which is also the
/// clock (the data batch index) w computes next. The server's version is min_w clock[w]: the clocks every worker has
/// pushed. The gate: worker w may start clock c = clock[w] only if c − version ≤ s, so no worker runs more than s clocks
/// ahead of the slowest; with s = 0 every clock is a barrier (bulk synchronous). A worker has at most one push in flight.
/// Not thread-safe: its owner serialises calls (a grain's turns).
/// </summary>
public sealed class ClockTable
{
    readonly long[] _clocks;
    readonly bool[] _inFlight;

    /// <param name="workers">W ≥ 1.</param>
    /// <param name="staleness">s ≥ 0, in clocks.</param>
    /// <param name="start">Every worker's clock (a checkpoint's step: all clocks equal there).</param>
    public ClockTable(int workers, int staleness, long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(staleness);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        _clocks = Enumerable.Repeat(start, workers).ToArray();
        _inFlight = new bool[workers];
        Staleness = staleness;
    }

    public int Workers => _clocks.Length;

    public int Staleness { get; }

    /// <summary>min_w clock[w]: every clock below it has been pushed by every worker.</summary>
    public long Version => _clocks.Min();

    /// <summary>The clock worker <paramref name="worker"/> computes next (or is computing, while in flight).</summary>
    public long ClockOf(int worker) => _clocks[worker];

    public bool InFlight(int worker) => _inFlight[worker];

    /// <summary>No push in flight.</summary>
    public bool Idle => !_inFlight.Any(f => f);

    /// <summary>Every worker idle at the same clock: the state a checkpoint holds.</summary>
    public bool AlignedAt(long clock) => Idle && _clocks.All(c => c == clock);

    /// <summary>
    /// Whether worker <paramref name="worker"/> may start its next clock c now: idle, c below <paramref name="limit"/> (the
    /// host's cap: the run's end, a checkpoint barrier, how far ahead of the steps asked for), and c − version ≤ s.
    /// </summary>
    public bool MayStart(int worker, long limit)
        => !_inFlight[worker] && _clocks[worker] < limit && _clocks[worker] - Version <= Staleness;

    /// <summary>Marks the worker in flight; returns the clock it computes. Throws when the gate is closed for it.</summary>
    public long Start(int worker, long limit)
    {
        if (!MayStart(worker, limit))
            throw new InvalidOperationException($"worker {worker} at clock {_clocks[worker]} may not start (version {Version}, staleness {Staleness}, limit {limit}{(_inFlight[worker] ? ", already in flight" : "")})");
        _inFlight[worker] = true;
        return _clocks[worker];
    }

    /// <summary>The worker's push for its clock arrived: its clock advances by one.</summary>
    public void Finish(int worker)
    {
        if (!_inFlight[worker]) throw new InvalidOperationException($"worker {worker} has no push in flight");
        _inFlight[worker] = false;
        _clocks[worker]++;
    }

    /// <summary>The worker's call failed before it pushed: it may start the same clock again.</summary>
    public void Abandon(int worker) => _inFlight[worker] = false;

    public long[] Snapshot() => (long[])_clocks.Clone();
}
