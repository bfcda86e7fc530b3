using Thresher.Core.Optim;

namespace Thresher.Core.Training;

/// <summary>
/// The rewind's memory: two in-memory snapshots of a run's training state — θ, the optimizer's state (SGD's momentum
/// buffer or Adam's exp_avg and exp_avg_sq, and its step count) and the clip policy's state (ZClip's EMAs, AutoClip's
/// history) — with the step they belong to and the run's batch offset then, taken every <c>every</c> steps, so one of
/// them is always between <c>every</c> and 2·<c>every</c> steps old once the run is that far. A restore gives back
/// every bit of that state, so the re-run steps are the steps a run without the undone ones would take. The float
/// buffers are allocated once; the clip state (a few doubles, AutoClip's history up to its length) is copied per
/// snapshot. <see cref="Bytes"/> is the cost. Snapshots live in the parameter server's memory only: a parameter server
/// that is lost (its silo died) and re-activated from its checkpoint starts with an empty ring and takes its first
/// snapshot at its first step.
/// </summary>
public sealed class SnapshotRing
{
    public const int Capacity = 2;

    readonly Slot[] _slots;
    readonly int _every;

    /// <param name="every">Steps between snapshots (≥ 1).</param>
    /// <param name="parameters">P, θ's length.</param>
    /// <param name="optimizer">The run's optimizer: its buffers' lengths size the snapshots.</param>
    public SnapshotRing(int every, int parameters, Optimizer optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        ArgumentNullException.ThrowIfNull(optimizer);
        _every = every;
        _slots = [.. Enumerable.Range(0, Capacity).Select(_ => new Slot(new float[parameters],
            new float[optimizer.Velocity.Length], new float[optimizer.ExpAvg.Length], new float[optimizer.ExpAvgSq.Length]))];
    }

    /// <summary>
    /// Bytes the snapshots hold: 2 × (θ + optimizer state) float32 — 2 × 4P (SGD), 2 × 8P (momentum), 2 × 12P (Adam,
    /// AdamW) — plus the clip states held now (8 bytes a double; 0 for global, per-tensor, agc, none).
    /// </summary>
    public long Bytes => _slots.Sum(s => (long)(s.Theta.Length + s.Velocity.Length + s.ExpAvg.Length + s.ExpAvgSq.Length) * sizeof(float) + s.ClipState.Length);

    /// <summary>Steps of the snapshots held, oldest first.</summary>
    public IEnumerable<long> Steps => _slots.Where(s => s.Held).Select(s => s.Step).Order();

    /// <summary>Takes θ and the rule's state (as they are before step <paramref name="step"/>) when the step is a multiple of the period or nothing is held.</summary>
    public void Offer(long step, long batchOffset, ReadOnlySpan<float> theta, UpdateRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (step % _every != 0 && _slots.Any(s => s.Held)) return;
        if (_slots.Any(s => s.Held && s.Step == step)) return; // re-run after a rewind: the same state is held already
        var slot = _slots.FirstOrDefault(s => !s.Held) ?? _slots.MinBy(s => s.Step)!;
        var o = rule.Optimizer;
        theta.CopyTo(slot.Theta);
        o.Velocity.CopyTo(slot.Velocity);
        o.ExpAvg.CopyTo(slot.ExpAvg);
        o.ExpAvgSq.CopyTo(slot.ExpAvgSq);
        slot.OptimizerSteps = o.Steps;
        slot.ClipState = rule.Policy.SaveState();
        (slot.Step, slot.BatchOffset, slot.Held) = (step, batchOffset, true);
    }

    /// <summary>
    /// Writes the snapshot to go back to for a spike at <paramref name="spikeStep"/> — the newest at least
    /// <c>every</c> steps before it, else the oldest held — into θ and the rule's optimizer and clip policy; drops the
    /// snapshots after it; returns its step and batch offset.
    /// </summary>
    public (long Step, long BatchOffset) Restore(long spikeStep, Span<float> theta, UpdateRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var held = _slots.Where(s => s.Held).OrderBy(s => s.Step).ToList();
        if (held.Count == 0) throw new InvalidOperationException("no snapshot to rewind to: one is taken at every run's first step");
        var target = held.LastOrDefault(s => s.Step <= spikeStep - _every) ?? held[0];
        target.Theta.CopyTo(theta);
        rule.Optimizer.Restore(target.Velocity, target.ExpAvg, target.ExpAvgSq, target.OptimizerSteps);
        rule.Policy.RestoreState(target.ClipState);
        foreach (var s in held.Where(s => s.Step > target.Step)) s.Held = false;
        return (target.Step, target.BatchOffset);
    }

    sealed class Slot(float[] theta, float[] velocity, float[] expAvg, float[] expAvgSq)
    {
        public float[] Theta { get; } = theta;       // [P]
        public float[] Velocity { get; } = velocity; // [P] or [] (SGD's momentum buffer)
        public float[] ExpAvg { get; } = expAvg;     // [P] or [] (Adam's m)
        public float[] ExpAvgSq { get; } = expAvgSq; // [P] or [] (Adam's v)
        public long OptimizerSteps { get; set; }
        public byte[] ClipState { get; set; } = [];
        public long Step { get; set; }
        public long BatchOffset { get; set; }
        public bool Held { get; set; }
    }
}
