using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// Wakes, at once, the runs a dead silo may have held. When membership declares a silo dead, every survivor calls
/// <see cref="IRunGrain.GetStatus"/> on each active run — those the run registry lists as not ended
/// (<see cref="IRunRegistryGrain.Active"/>, stored, so it answers even when its own silo was the one that died) and
/// those whose workers it hosts (<see cref="LocalRuns"/>, in case the registry cannot answer): a run grain that died
/// with that silo is re-activated by the call (its <c>OnActivateAsync</c> resumes the run from its checkpoint), a live
/// one just answers. A call that fails (the directory still points at the dead silo) is tried again a few times.
/// Without this a run waits for its reminder's next tick (up to one period after the death, README "Reliability");
/// the reminder stays as the fallback.
/// </summary>
sealed partial class RunWaker(IClusterMembershipService membership, IGrainFactory grains, LocalRuns runs, ILogger<RunWaker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ClusterMembershipSnapshot? previous = null;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                // The first snapshot is where this silo came in: silos dead before it are not news.
                var dead = previous is null ? [] : NewlyDead(previous, snapshot);
                previous = snapshot;
                if (dead.Count == 0) continue;
                _ = WakeActiveRuns(string.Join(", ", dead)); // not awaited: the next membership change is news of its own
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the silo stops
        }
    }

    /// <summary>Silos dead in <paramref name="current"/> that were not in <paramref name="previous"/>.</summary>
    internal static List<SiloAddress> NewlyDead(ClusterMembershipSnapshot previous, ClusterMembershipSnapshot current)
        => [.. current.Members.Values
            .Where(m => m.Status == SiloStatus.Dead && previous.GetSiloStatus(m.SiloAddress) != SiloStatus.Dead)
            .Select(m => m.SiloAddress)];

    /// <summary>Tries per call: the first may still be routed to the dead silo while the directory catches up.</summary>
    const int Attempts = 3;
    static readonly TimeSpan AttemptDelay = TimeSpan.FromSeconds(1);

    async Task WakeActiveRuns(string dead)
    {
        var ids = await ActiveRuns();
        LogSiloDead(logger, dead, ids.Count, string.Join(", ", ids));
        await Task.WhenAll(ids.Select(Wake));
    }

    /// <summary>The registry's active runs and this silo's, in order; this silo's alone when the registry does not answer.</summary>
    async Task<List<string>> ActiveRuns()
    {
        var ids = new SortedSet<string>(runs.RunIds, StringComparer.Ordinal);
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                ids.UnionWith(await grains.GetGrain<IRunRegistryGrain>(0).Active());
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (attempt == Attempts) LogNoRegistry(logger, e.GetType().Name, e.Message);
                else await Task.Delay(AttemptDelay);
            }
        }
        return [.. ids];
    }

    async Task Wake(string runId)
    {
        for (int attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                await grains.GetGrain<IRunGrain>(runId).GetStatus();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (attempt == Attempts) LogNotWoken(logger, runId, e.GetType().Name, e.Message); // its reminder still wakes it
                else await Task.Delay(AttemptDelay);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "membership: silo {Silos} declared dead; waking the {Count} active run(s): {Runs}")]
    static partial void LogSiloDead(ILogger logger, string silos, int count, string runs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: could not be woken after a silo died ({Kind}: {Reason}); its reminder wakes it")]
    static partial void LogNotWoken(ILogger logger, string runId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the run registry did not answer after a silo died ({Kind}: {Reason}); waking only the runs whose workers this silo hosts")]
    static partial void LogNoRegistry(ILogger logger, string kind, string reason);
}
