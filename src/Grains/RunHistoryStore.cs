using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// A run's step history in grain storage, in pages of <see cref="PageSize"/> records, each its own record: storing
/// writes only the pages that changed since the last store (usually the last one), so a checkpoint costs the same at
/// step 50 000 as at step 50. The run record holds the count; records past it on a page (steps a resume dropped,
/// or a store that died before the run record) are ignored on load.
/// </summary>
sealed class RunHistoryStore(IGrainStorage storage, string runId)
{
    public const int PageSize = 256;
    public const string StateName = "run-history";
    const string PageGrainType = "thresher-run-history";

    readonly List<GrainState<List<StepRecord>>> _pages = [];
    int _stored; // records [0, _stored) are in storage exactly as in memory

    public static GrainId PageId(string runId, int page) => GrainId.Create(PageGrainType, $"{runId}/{page}");

    /// <summary>The first <paramref name="count"/> records; throws when a page is missing or unreadable.</summary>
    public async Task<List<StepRecord>> LoadAsync(long count)
    {
        var records = new List<StepRecord>((int)count);
        for (int page = 0; records.Count < count; page++)
        {
            var state = Page(page);
            await storage.ReadStateAsync(StateName, PageId(runId, page), state);
            if (!state.RecordExists || state.State is not { Count: > 0 } stored)
                throw new InvalidOperationException($"run {runId}: history page {page} is missing ({records.Count} of {count} recorded steps loaded)");
            records.AddRange(stored.Take((int)(count - records.Count)));
        }
        _stored = records.Count;
        return records;
    }

    /// <summary>The history in memory was cut back to <paramref name="count"/> records (a resume): those pages are written again.</summary>
    public void Truncated(int count) => _stored = Math.Min(_stored, count);

    /// <summary>
    /// Writes the pages that changed. A page write refused for its ETag (an earlier write's outcome was unknown, or
    /// storage lost the page) is reconciled: <paramref name="verifyOwner"/> (which throws when another activation
    /// owns the run), then the page's ETag is read again and the write retried.
    /// </summary>
    public async Task StoreAsync(IReadOnlyList<StepRecord> history, Func<Task>? verifyOwner = null)
    {
        for (int page = _stored / PageSize; page * PageSize < history.Count; page++)
        {
            var state = Page(page);
            int first = page * PageSize;
            state.State = [.. history.Skip(first).Take(Math.Min(PageSize, history.Count - first))]; // Skip on a list indexes, it does not walk
            try
            {
                await storage.WriteStateAsync(StateName, PageId(runId, page), state);
            }
            catch (InconsistentStateException) when (verifyOwner is not null)
            {
                await verifyOwner();
                var current = new GrainState<List<StepRecord>>();
                await storage.ReadStateAsync(StateName, PageId(runId, page), current);
                state.ETag = current.ETag;
                await storage.WriteStateAsync(StateName, PageId(runId, page), state);
            }
            _stored = Math.Min(history.Count, first + PageSize); // pages before this one stay stored if a later write fails
        }
        _stored = history.Count;
    }

    /// <summary>The page's state object, kept so its ETag from the last read or write goes with the next write.</summary>
    GrainState<List<StepRecord>> Page(int page)
    {
        while (_pages.Count <= page) _pages.Add(new GrainState<List<StepRecord>>());
        return _pages[page];
    }
}
