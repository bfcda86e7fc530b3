using Thresher.Abstractions;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// A watch is a client that outlives gateways: SIGTERM detaches it like Ctrl-C (exit 0, the run goes on), and a
/// watch given several gateways keeps following its run when one of them is killed, exiting 0 when the run completes.
/// </summary>
public sealed class WatchFailoverTests(SyntheticData data, ITestOutputHelper log) : IClassFixture<SyntheticData>
{
    string[] RunArgs(string runId, long steps) =>
        ["--data", data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "3", "--batch", "64",
         "--steps", $"{steps}", "--checkpoint-every", "50", "--worker-timeout", "5", "--seed", "29", "--run-id", runId];

    [Fact]
    public async Task Sigterm_detaches_a_watch_and_the_run_goes_on()
    {
        await using var silo = await SiloProcess.StartAsync();
        string[] cluster = ["--gateway", silo.Gateway, "--cluster-id", "thresher-test"];
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", .. cluster, .. RunArgs("sigterm", 1_000_000)]);
        Assert.True(code == 0, $"submit: exit {code}: {stdout}{stderr}");

        using var watch = new WatchProcess(["watch", "sigterm", .. cluster]);
        await Wait.Until(() => watch.Output.Contains("sigterm running", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the watch to show the run");
        watch.Signal("TERM");
        Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        (code, stdout, _) = await CliRunner.RunExecutable(["status", "sigterm", .. cluster]);
        Assert.Equal(0, code);
        Assert.Contains("running", stdout, StringComparison.Ordinal); // detached, not cancelled
    }

    [RedisFact]
    public async Task A_watch_with_several_gateways_follows_its_run_through_the_death_of_one()
    {
        using var redis = new RedisServer();
        await redis.InitializeAsync();
        string clusterId = $"watch-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(redis.Address, clusterId, 3, log);
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", "--gateway", silos[0].Gateway, "--cluster-id", clusterId, .. RunArgs("failover", 3000)]);
        Assert.True(code == 0, $"submit: exit {code}: {stdout}{stderr}");

        // The victim holds neither the run grain nor the parameter server (the run need not resume); the watch uses it and one other.
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[0].Gateway, clusterId, TimeSpan.FromSeconds(10), CancellationToken.None);
        var view = await Thresher.Dashboard.ClusterView.ReadAsync(client.Client, includeGone: false);
        var hosts = view.Where(s => s.Runs.Contains("failover") || s.ParameterServers.Contains("failover")).Select(s => s.Address).ToHashSet();
        var victim = Enumerable.Range(0, 3).Select(i => silos[i]).First(s => !hosts.Contains(s.Address));
        var other = Enumerable.Range(0, 3).Select(i => silos[i]).First(s => s != victim);

        using var watch = new WatchProcess(["watch", "failover", "--gateway", $"{victim.Gateway},{other.Gateway}", "--cluster-id", clusterId]);
        await Wait.Until(() => watch.Output.Contains("failover running", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the watch to show the run");
        victim.Kill();
        log.WriteLine($"killed {victim.Address}; the watch goes through {other.Gateway}");

        int exit = await watch.WaitForExitAsync(TimeSpan.FromMinutes(4));
        log.WriteLine(watch.Output);
        Assert.True(exit == 0, $"watch: exit {exit}: {watch.Output}");
        Assert.Contains("completed", watch.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", watch.Output, StringComparison.Ordinal);
    }
}
