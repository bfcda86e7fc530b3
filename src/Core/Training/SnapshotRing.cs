namespace Thresher.Core.Training;

/// <summary>
/// The rewind's memory: two in-memory snapshots of θ and the optimizer state (with the step they belong to and the
/// run's batch offset then), taken every <c>every</c> steps, so one of them is always between <c>every</c> and
/// 2·<c>every</c> steps old once the run is that far. Buffers are allocated once: <see cref="Bytes"/> is the whole
/// cost. Snapshots live in the parameter server's memory only: a parameter server that is lost (its silo died) and
/// re-activated from its checkpoint starts with an empty ring and takes its first snapshot at its first step.
/// </summary>
public sealed class SnapshotRing
{
    public const int Capacity = 2;

    readonly Slot[] _slots;
    readonly int _every;

    public SnapshotRing(int every, int parameters, int optimizerState)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        _every = every;
        _slots = [.. Enumerable.Range(0, Capacity).Select(_ => new Slot(new float[parameters], new float[optimizerState]))];
    }

    /// <summary>Bytes the snapshots hold: 2 × (θ + optimizer state) float32.</summary>
    public long Bytes => _slots.Sum(s => (long)(s.Theta.Length + s.State.Length) * sizeof(float));

    /// <summary>Steps of the snapshots held, oldest first.</summary>
    public IEnumerable<long> Steps => _slots.Where(s => s.Held).Select(s => s.Step).Order();

    /// <summary>Takes θ and state (as they are before step <paramref name="step"/>) when the step is a multiple of the period or nothing is held.</summary>
    public void Offer(long step, long batchOffset, ReadOnlySpan<float> theta, ReadOnlySpan<float> state)
    {
        if (step % _every != 0 && _slots.Any(s => s.Held)) return;
        if (_slots.Any(s => s.Held && s.Step == step)) return; // re-run after a rewind: the same θ is held already
        var slot = _slots.FirstOrDefault(s => !s.Held) ?? _slots.MinBy(s => s.Step)!;
        theta.CopyTo(slot.Theta);
        state.CopyTo(slot.State);
        (slot.Step, slot.BatchOffset, slot.Held) = (step, batchOffset, true);
    }

    /// <summary>
    /// Writes the snapshot to go back to for a spike at <paramref name="spikeStep"/> — the newest at least
    /// <c>every</c> steps before it, else the oldest held — into θ and state; drops the snapshots after it;
    /// returns its step and batch offset.
    /// </summary>
    public (long Step, long BatchOffset) Restore(long spikeStep, Span<float> theta, Span<float> state)
    {
        var held = _slots.Where(s => s.Held).OrderBy(s => s.Step).ToList();
        if (held.Count == 0) throw new InvalidOperationException("no snapshot to rewind to: one is taken at every run's first step");
        var target = held.LastOrDefault(s => s.Step <= spikeStep - _every) ?? held[0];
        target.Theta.CopyTo(theta);
        target.State.CopyTo(state);
        foreach (var s in held.Where(s => s.Step > target.Step)) s.Held = false;
        return (target.Step, target.BatchOffset);
    }

    sealed class Slot(float[] theta, float[] state)
    {
        public float[] Theta { get; } = theta; // [P]
        public float[] State { get; } = state; // [optimizer state length]
        public long Step { get; set; }
        public long BatchOffset { get; set; }
        public bool Held { get; set; }
    }
}
