using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// Writes a run grain's books to storage — history pages first, then the run record — and keeps the run fenced.
/// Each activation that starts or resumes a run claims it (<see cref="Claim"/>: the stored owner generation + 1,
/// and a token of its own) with its next write. A write refused for its ETag (<see cref="InconsistentStateException"/>:
/// someone wrote since, or an earlier write of ours whose outcome was unknown did land) is reconciled, not fatal:
/// re-read the record; a newer claim (a higher generation, or the same one with another token) means this
/// activation is superseded (<see cref="RunSupersededException"/>); otherwise the write is retried with the ETag
/// just read. Any other exception is the storage's and goes to the caller (the run stalls and retries).
/// </summary>
sealed class RunRecordStore(IPersistentState<RunRecord> record, RunHistoryStore history, string runId)
{
    readonly string _token = Guid.NewGuid().ToString("N");
    long _generation;

    /// <summary>This activation's claim on the run; 0 until <see cref="Claim"/>.</summary>
    public long Generation => _generation;

    /// <summary>This activation owns the run from its next write on: one generation past the stored one.</summary>
    public void Claim() => _generation = record.State.OwnerGeneration + 1;

    /// <summary>Writes the history pages, then the record (so the record's count never runs ahead of the pages).</summary>
    public async Task StoreAsync(RunLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        await history.StoreAsync(ledger.History, VerifyOwnerAsync);
        var s = record.State;
        ledger.WriteTo(s);
        s.HistoryCount = ledger.StepsDone;
        s.OwnerGeneration = _generation;
        s.OwnerToken = _token;
        try
        {
            await record.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            await VerifyOwnerAsync();
            await record.WriteStateAsync();
        }
    }

    /// <summary>
    /// Re-reads the record (which refreshes its ETag) and throws <see cref="RunSupersededException"/> when another
    /// activation has claimed the run since this one did; this activation's own state is kept for the next write.
    /// </summary>
    public async Task VerifyOwnerAsync()
    {
        var mine = record.State;
        await record.ReadStateAsync();
        var stored = record.State;
        record.State = mine;
        if (Superseded(stored.OwnerGeneration, stored.OwnerToken))
            throw new RunSupersededException($"run {runId}: another activation owns it now (owner generation {stored.OwnerGeneration}, this one {_generation})");
    }

    bool Superseded(long generation, string? token)
        => generation > _generation || (generation == _generation && token is not null && token != _token);
}
