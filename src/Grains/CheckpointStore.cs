using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>What loading a parameter server's checkpoints found: the one to go on from (if any) and why others were passed over.</summary>
sealed record CheckpointLoad(ParameterServerCheckpoint? Checkpoint, IReadOnlyList<string> Problems)
{
    public string Describe() => string.Join("; ", Problems);
}

/// <summary>
/// A parameter server's checkpoints in two alternating slots (slot = generation mod 2), each its own record in
/// grain storage, so writing generation g never touches g − 1: when g is lost or damaged — its write torn by a
/// dying silo, its bytes changed at rest — the run goes back to g − 1 and re-runs the steps in between.
/// Every record carries a SHA-256 of its contents (<see cref="CheckpointDigest"/>). Slots are addressed by their
/// own grain ids (not state names) because Redis grain storage keys a record by grain id alone.
/// </summary>
sealed class CheckpointStore(IGrainStorage storage, string runId)
{
    public const string StateName = "parameter-server-checkpoint";
    const string SlotGrainType = "thresher-checkpoint";

    readonly GrainState<ParameterServerCheckpoint>[] _slots = [new(), new()];
    readonly bool[] _unreadable = new bool[2]; // its record could not be read: clear it before writing
    readonly SlotContent?[] _known = new SlotContent?[2];     // what this activation last read or wrote there
    readonly SlotContent?[] _attempted = new SlotContent?[2]; // a write of ours whose outcome is unknown (it threw)
    long _generation = -1;                     // the generation written or loaded last; the next write is one more

    public static GrainId SlotId(string runId, int slot) => GrainId.Create(SlotGrainType, $"{runId}/{slot}");

    /// <summary>
    /// Reads both slots and picks the newest intact checkpoint whose next step is at most <paramref name="maxNextStep"/>
    /// (a run cannot go on from steps it has not recorded). Damaged or unreadable slots are reported, not thrown.
    /// </summary>
    public async Task<CheckpointLoad> LoadAsync(long maxNextStep = long.MaxValue)
    {
        var problems = new List<string>();
        ParameterServerCheckpoint? best = null;
        for (int slot = 0; slot < _slots.Length; slot++)
        {
            // Kept even when the read fails: Redis storage sets the record's ETag before deserializing, and the
            // slot is later cleared and written with it.
            var state = _slots[slot] = new GrainState<ParameterServerCheckpoint>();
            try
            {
                await storage.ReadStateAsync(StateName, SlotId(runId, slot), state);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _unreadable[slot] = true;
                problems.Add($"checkpoint slot {slot} is unreadable ({e.GetType().Name}: {Innermost(e).Message})");
                continue;
            }
            _unreadable[slot] = false;
            _known[slot] = SlotContent.Of(state);
            if (!state.RecordExists || state.State is not { } checkpoint) continue;
            if (CheckpointDigest.Problem(checkpoint) is { } problem)
            {
                problems.Add($"checkpoint slot {slot} (generation {checkpoint.Generation}, step {checkpoint.NextStep}) is corrupt: {problem}");
                continue;
            }
            if (checkpoint.NextStep > maxNextStep)
            {
                problems.Add($"checkpoint generation {checkpoint.Generation} (step {checkpoint.NextStep}) is ahead of the run's {maxNextStep} recorded steps");
                continue;
            }
            if (best is null || checkpoint.Generation > best.Generation) best = checkpoint;
        }
        if (best is not null) _generation = best.Generation;
        return new CheckpointLoad(best, problems);
    }

    /// <summary>
    /// <see cref="WriteAsync"/> as a grain's Checkpoint call answers it: a slot another activation wrote
    /// (<see cref="RunSupersededException"/>) deactivates the caller (<paramref name="standDown"/>) and goes on up; any other
    /// storage failure becomes a <see cref="CheckpointStorageException"/> naming <paramref name="owner"/> and the step, since
    /// the provider's own exception types need not cross a grain call (or be known to the caller): the message does.
    /// </summary>
    public async Task WriteOrReportAsync(ParameterServerCheckpoint checkpoint, string owner, Action standDown)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(standDown);
        try
        {
            await WriteAsync(checkpoint);
        }
        catch (RunSupersededException)
        {
            standDown();
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CheckpointStorageException($"{owner}: checkpoint at step {checkpoint.NextStep} not stored ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>Writes the next generation into the slot that does not hold the one before it.</summary>
    public async Task WriteAsync(ParameterServerCheckpoint checkpoint)
    {
        long generation = _generation + 1;
        int slot = (int)(generation % _slots.Length);
        checkpoint.Generation = generation;
        checkpoint.Digest = CheckpointDigest.Compute(checkpoint);
        var state = _slots[slot];
        if (_unreadable[slot]) await ClearAsync(slot);
        state.State = checkpoint;
        try
        {
            await storage.WriteStateAsync(StateName, SlotId(runId, slot), state);
        }
        catch (InconsistentStateException)
        {
            await ReconcileAsync(slot, state);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _attempted[slot] = SlotContent.Of(checkpoint);
            throw;
        }
        _known[slot] = SlotContent.Of(checkpoint);
        _generation = generation;
    }

    /// <summary>
    /// A slot write refused for its ETag. Storage holds our attempted checkpoint: an earlier write whose outcome was
    /// unknown landed, done. It holds what we last saw there, an earlier attempt of ours, or nothing: write again
    /// with the ETag just read. Anything else was written by another activation of this parameter server: this one
    /// is superseded (<see cref="RunSupersededException"/>) and must write nothing more.
    /// </summary>
    async Task ReconcileAsync(int slot, GrainState<ParameterServerCheckpoint> state)
    {
        var current = new GrainState<ParameterServerCheckpoint>();
        await storage.ReadStateAsync(StateName, SlotId(runId, slot), current);
        var held = SlotContent.Of(current);
        var mine = SlotContent.Of(state.State);
        if (held is not null && held == mine)
        {
            state.ETag = current.ETag;
            return;
        }
        if (held is not null && held != _known[slot] && held != _attempted[slot])
            throw new RunSupersededException($"parameter server {runId}: checkpoint slot {slot} holds generation {held.Generation} (step {held.NextStep}), written by another activation; this one stands down");
        state.ETag = current.ETag;
        await storage.WriteStateAsync(StateName, SlotId(runId, slot), state);
    }

    /// <summary>A fresh run: both slots emptied of anything left under this run id, then generation 0 into slot 0.</summary>
    public async Task StartAsync(ParameterServerCheckpoint first)
    {
        await LoadAsync(); // learns the slots' ETags, which clearing them needs
        for (int slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot].RecordExists || _unreadable[slot]) await ClearAsync(slot);
        }
        _generation = -1;
        await WriteAsync(first);
    }

    /// <summary>Empties a slot with the ETag its last read left (an unreadable memory-storage record has none: "*", its wildcard).</summary>
    async Task ClearAsync(int slot)
    {
        var state = _slots[slot];
        if (_unreadable[slot] && state.ETag is null) state.ETag = "*";
        await storage.ClearStateAsync(StateName, SlotId(runId, slot), state);
        _unreadable[slot] = false;
    }

    static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}

/// <summary>Which checkpoint a slot holds, by generation, step and digest (equal records: the same checkpoint).</summary>
sealed record SlotContent(long Generation, long NextStep, string Digest)
{
    /// <summary>What a slot read from storage holds (null: no record).</summary>
    public static SlotContent? Of(GrainState<ParameterServerCheckpoint> read) => read.RecordExists ? Of(read.State) : null;

    public static SlotContent? Of(ParameterServerCheckpoint? c) => c is null ? null : new(c.Generation, c.NextStep, Convert.ToHexString(c.Digest));
}
