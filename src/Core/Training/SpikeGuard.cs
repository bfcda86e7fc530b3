using System.Globalization;

namespace Thresher.Core.Training;

/// <summary>What the ladder decided for one step, before its update.</summary>
/// <param name="Action">What was done: None (applied), Skip, Rewind (skipped and θ went back), Abort.</param>
/// <param name="Spike">Why the step is a spike; null when it is not.</param>
/// <param name="RewindTo">After a rewind: the step θ and optimizer state went back to (the run goes on from there).</param>
public sealed record SpikeDecision(SpikeAction Action, string? Spike, long? RewindTo)
{
    public static readonly SpikeDecision Apply = new(SpikeAction.None, null, null);

    public bool Applies => Action == SpikeAction.None;
}

/// <summary>
/// The response ladder, run by the parameter server before a step's update is applied (<see cref="SynchronousStep"/>):
/// a <see cref="SpikeRule"/> judges the step's global norm and loss; a spike is applied anyway (none), skipped (skip),
/// skipped and — after RewindAfter spikes within RewindWindow steps, or one non-finite step — rewound (rewind: θ,
/// optimizer and clip state back to a <see cref="SnapshotRing"/> snapshot, the batches from there to the spike plus
/// RewindSkipBatches more are skipped), or fails the run (abort). It also owns the run's data cursor: step s trains on
/// batch <see cref="BatchOf"/>(s) = s + offset, past the run's omitted batches; only a rewind moves the offset.
/// Not thread-safe; one per run.
/// </summary>
public sealed class SpikeGuard
{
    readonly SpikeOptions _options;
    readonly SpikeRule _rule;
    readonly UpdateRule _update;
    readonly SnapshotRing? _ring;
    readonly long[] _omitted;             // sorted batch ids the schedule leaves out
    readonly Queue<long> _recentSpikes = new(); // steps of the spikes within the rewind window

    /// <param name="update">The run's update rule: a rewind restores its optimizer's and clip policy's state with θ.</param>
    public SpikeGuard(SpikeOptions options, UpdateRule update, IEnumerable<long>? omittedBatches = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(update);
        options.Validate();
        _options = options;
        _update = update;
        _rule = new SpikeRule(options);
        _ring = options.OnSpike == SpikeAction.Rewind ? new SnapshotRing(options.RewindSteps, update.Layout.TotalLength, update.Optimizer) : null;
        _omitted = [.. (omittedBatches ?? []).Distinct().Order()];
    }

    public SpikeOptions Options => _options;

    /// <summary>Batches the data cursor has jumped over because of rewinds (checkpointed with θ).</summary>
    public long BatchOffset { get; set; }

    /// <summary>Bytes of the rewind snapshots (0 unless the policy is rewind).</summary>
    public long SnapshotBytes => _ring?.Bytes ?? 0;

    /// <summary>Rewinds so far.</summary>
    public int Rewinds { get; private set; }

    /// <summary>A description of the latest rewind not yet reported; taken (and cleared) by the next step.</summary>
    public string? TakeEvent()
    {
        var e = _event;
        _event = null;
        return e;
    }

    string? _event;

    /// <summary>Batches a replay found to be the cause of a spike (verdict data): never to be trained on; a later run can omit them.</summary>
    public List<long> SkipList { get; } = [];

    /// <summary>Whether <see cref="Decide"/> would find a spike in these values (nothing changes).</summary>
    public bool WouldSpike(double globalNorm, double meanLoss) => _rule.Judge(globalNorm, meanLoss) is not null;

    /// <summary>The data batch step <paramref name="step"/> trains on: the (step + offset)-th batch id not omitted.</summary>
    public long BatchOf(long step)
    {
        long batch = step + BatchOffset;
        foreach (long omitted in _omitted)
            if (omitted <= batch) batch++;
        return batch;
    }

    /// <summary>
    /// Judges step <paramref name="step"/> (θ and the update rule's optimizer and clip state as they are before it) and
    /// acts: a rewind writes the snapshot into all three. Abort throws <see cref="SpikeAbortException"/>.
    /// </summary>
    public SpikeDecision Decide(long step, double globalNorm, double meanLoss, Span<float> theta)
    {
        _ring?.Offer(step, BatchOffset, theta, _update);
        string? spike = _rule.Judge(globalNorm, meanLoss);
        if (spike is null)
        {
            _rule.Accept(globalNorm, meanLoss);
            return SpikeDecision.Apply;
        }
        string described = string.Create(CultureInfo.InvariantCulture, $"step {step} (batch {BatchOf(step)}): {spike}");
        switch (_options.OnSpike)
        {
            case SpikeAction.None: return new(SpikeAction.None, described, null);
            case SpikeAction.Skip: return new(SpikeAction.Skip, described, null);
            case SpikeAction.Abort: throw new SpikeAbortException($"spike at {described}; the run was aborted (--on-spike abort)");
        }
        while (_recentSpikes.Count > 0 && _recentSpikes.Peek() <= step - _options.RewindWindow) _recentSpikes.Dequeue();
        _recentSpikes.Enqueue(step);
        bool nonFinite = !double.IsFinite(globalNorm) || !double.IsFinite(meanLoss);
        if (!nonFinite && _recentSpikes.Count < _options.RewindAfter) return new(SpikeAction.Skip, described, null);
        return Rewind(step, described, theta);
    }

    SpikeDecision Rewind(long step, string described, Span<float> theta)
    {
        long spikeBatch = BatchOf(step);
        var (to, offset) = _ring!.Restore(step, theta, _update);
        BatchOffset = offset;
        long firstSkipped = BatchOf(to); // the batch step `to` trained on before: from it to the spike's, re-run no more
        // Step `to` goes on with the first batch after the spike's and the RewindSkipBatches after it (omitted ones passed over).
        long target = spikeBatch + 1 + _options.RewindSkipBatches;
        BatchOffset = target - _omitted.Count(o => o < target) - to;
        _recentSpikes.Clear();
        Rewinds++;
        _event = string.Create(CultureInfo.InvariantCulture,
            $"rewind: spike at {described}; θ, optimizer and clip state back to step {to}, batches {firstSkipped}..{target - 1} skipped");
        return new(SpikeAction.Rewind, described, to);
    }
}

/// <summary>Thrown by <see cref="SpikeGuard"/> under <see cref="SpikeAction.Abort"/>: the run fails with the spike's description.</summary>
public sealed class SpikeAbortException : Exception
{
    public SpikeAbortException() { }
    public SpikeAbortException(string message) : base(message) { }
    public SpikeAbortException(string message, Exception inner) : base(message, inner) { }
}
