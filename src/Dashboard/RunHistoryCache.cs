using System.Collections.Concurrent;
using Thresher.Abstractions;

namespace Thresher.Dashboard;

/// <summary>A run's status with the steps recorded so far, ordered by step (index i holds step i unless a resume cut the history).</summary>
public sealed record RunSnapshot(RunStatus Status, StepRecord[] Records);

/// <summary>
/// The dashboard's copy of each viewed run's history, so that a page, a zoom or an event stream asks the run grain
/// only for the steps it has not seen (GetHistory from the last known step), never for 100k steps again. No new
/// storage: the run grain stays the source; a resume (which drops the steps after its checkpoint) or a history
/// shorter than the copy empties the copy, which is then read again.
/// </summary>
public sealed class RunHistoryCache(IGrainFactory grains)
{
    /// <summary>Steps asked for in one GetHistory call.</summary>
    const int Page = 5000;

    readonly ConcurrentDictionary<string, Entry> _runs = new(StringComparer.Ordinal);

    sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public StepRecord[] Records = [];
        public int Resumes;
    }

    /// <summary>The run ids the cluster knows (the run registry), in its order.</summary>
    public Task<string[]> RunIdsAsync() => grains.GetGrain<IRunRegistryGrain>(0).List();

    /// <summary>True when the registry lists <paramref name="runId"/>; asking an unknown id's grain would only create a blank one.</summary>
    public async Task<bool> KnowsAsync(string runId) => (await RunIdsAsync().ConfigureAwait(false)).Contains(runId, StringComparer.Ordinal);

    public Task<RunStatus> StatusAsync(string runId) => grains.GetGrain<IRunGrain>(runId).GetStatus();

    /// <summary>The run's status and every step recorded so far.</summary>
    public async Task<RunSnapshot> ReadAsync(string runId, CancellationToken cancellation)
    {
        var grain = grains.GetGrain<IRunGrain>(runId);
        var status = await grain.GetStatus().ConfigureAwait(false);
        var entry = _runs.GetOrAdd(runId, _ => new Entry());
        await entry.Gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (entry.Resumes != status.Resumes || entry.Records.Length > status.Step)
                (entry.Records, entry.Resumes) = ([], status.Resumes);
            while (entry.Records.Length < status.Step)
            {
                long next = entry.Records.Length == 0 ? 0 : entry.Records[^1].Step + 1;
                var page = await grain.GetHistory(next, Page).ConfigureAwait(false);
                if (page.Length == 0) break;
                entry.Records = [.. entry.Records, .. page];
            }
            return new RunSnapshot(status, entry.Records);
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
