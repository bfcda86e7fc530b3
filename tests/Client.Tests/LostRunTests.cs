using Thresher.Abstractions;
using Thresher.Client.Cluster;
using Thresher.Client.Commands;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Tests;

/// <summary>
/// A run the run list names but checkpoint storage no longer holds (storage emptied under running silos) answers
/// `status` with one line saying so, exit 1 — not "no such run" while `runs` lists it (reliability finding 2).
/// The registry entry without a stored run is made directly: the state an emptied storage leaves behind.
/// </summary>
public sealed class LostRunTests
{
    [Fact]
    public async Task A_listed_run_whose_record_is_gone_is_reported_lost_and_an_unlisted_one_unknown()
    {
        var silo = new SiloTrainingOptions { DataDirectory = Path.Combine(Path.GetTempPath(), "thresher-lost-run") };
        await using var cluster = await EmbeddedCluster.StartAsync(silo, TelemetryExporter.None, dashboard: null, CancellationToken.None);
        await cluster.Client.GetGrain<IRunRegistryGrain>(0).Register("ghost");

        var lost = await Assert.ThrowsAsync<RunLostException>(() => KnownRun.StatusAsync(cluster.Client, "ghost"));
        Assert.Contains("run 'ghost': listed by 'thresher runs', but its record is gone from checkpoint storage", lost.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ThresherInputException>(() => KnownRun.StatusAsync(cluster.Client, "nobody"));
        Assert.Contains("no such run", unknown.Message, StringComparison.Ordinal);
    }
}
