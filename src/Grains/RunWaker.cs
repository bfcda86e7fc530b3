using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// Wakes, at once, the runs a dead silo may have held. When membership declares a silo dead, every survivor calls
/// <see cref="IRunGrain.GetStatus"/> on each run whose workers it hosts (<see cref="LocalRuns"/>): a run grain that died
/// with that silo is re-activated by the call (its <c>OnActivateAsync</c> resumes the run from its checkpoint), a live
/// one just answers. Without this the run waits for its reminder's next tick (up to one period after the death,
/// README "Reliability"); the reminder stays as the fallback for a run with no worker on a survivor.
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
                var ids = runs.RunIds;
                LogSiloDead(logger, string.Join(", ", dead), ids.Count, string.Join(", ", ids));
                foreach (var id in ids) _ = Wake(id);
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

    async Task Wake(string runId)
    {
        try
        {
            await grains.GetGrain<IRunGrain>(runId).GetStatus();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotWoken(logger, runId, e.GetType().Name, e.Message); // its reminder still wakes it
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "membership: silo {Silos} declared dead; waking the {Count} run(s) whose workers this silo hosts: {Runs}")]
    static partial void LogSiloDead(ILogger logger, string silos, int count, string runs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: could not be woken after a silo died ({Kind}: {Reason}); its reminder wakes it")]
    static partial void LogNotWoken(ILogger logger, string runId, string kind, string reason);
}
