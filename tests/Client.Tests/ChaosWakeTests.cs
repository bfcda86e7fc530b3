using System.Diagnostics;
using Thresher.Abstractions;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// A run whose every grain — run grain, parameter server, its only worker — lived on the silo that was killed: no
/// survivor hosts a worker of it, nobody calls it, and it has no reminder, so only the survivors' wake-up from the
/// stored run registry (RunWaker) can bring it back. It waited for its reminder (up to one period; here, with none,
/// forever) while survivors woke only the runs whose workers they host.
/// </summary>
public sealed class ChaosWakeTests(RedisServer redis, SyntheticData data, ITestOutputHelper log)
    : IClassFixture<RedisServer>, IClassFixture<SyntheticData>
{
    const int Steps = 800;

    /// <summary>As ChaosTests' PS-silo kill: failure detection, re-activation from storage, the checkpoint's load, on a loaded machine.</summary>
    static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(12);

    [RedisFact]
    public async Task A_run_that_lived_wholly_on_the_killed_silo_is_woken_by_a_survivor_within_seconds()
    {
        string clusterId = $"wake-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(redis.Address, clusterId, 3, log, new Dictionary<string, string> { ["THRESHER__RUNREMINDERSECONDS"] = "0" });
        await using var client = await Cluster.RemoteCluster.ConnectAsync($"{silos[0].Gateway},{silos[1].Gateway},{silos[2].Gateway}", clusterId, TimeSpan.FromSeconds(30), CancellationToken.None);
        // Its worker's silo by the spread rule; submitted through that silo's gateway, the run grain and parameter server stay there too.
        var hosts = (await client.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.ToArray();
        var home = Grains.WorkerSpread.Pick(hosts, GrainId.Create("worker", "alone/0"));
        var victim = Enumerable.Range(0, silos.Count).Select(i => silos[i]).Single(s => s.SiloPort == home.Endpoint.Port);
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", "--gateway", victim.Gateway, "--cluster-id", clusterId, "--connect-timeout", "60",
            "--data", data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "1", "--batch", "64",
            "--steps", $"{Steps}", "--checkpoint-every", "50", "--worker-timeout", "5", "--seed", "31", "--run-id", "alone"]);
        Assert.True(code == 0, $"submit: exit {code}: {stdout}{stderr}");
        var run = client.Client.GetGrain<IRunGrain>("alone");
        await Wait.Until(async () => (await run.GetStatus()).Step >= 200, TimeSpan.FromSeconds(90), "alone to pass step 200");
        var view = await Thresher.Dashboard.ClusterView.ReadAsync(client.Client, includeGone: false);
        var held = view.Single(s => s.Address == victim.Address);
        Assert.True(held.Runs.Contains("alone") && held.ParameterServers.Contains("alone") && held.Workers.Any(w => w.StartsWith("alone/", StringComparison.Ordinal)),
            $"the test needs all of the run on {victim.Address}: {string.Join("; ", view.Select(s => $"{s.Address}: {string.Join(' ', s.Runs)} / {string.Join(' ', s.ParameterServers)} / {string.Join(' ', s.Workers)}"))}");
        Assert.DoesNotContain(view.Where(s => s.Address != victim.Address), s => s.Workers.Any(w => w.StartsWith("alone/", StringComparison.Ordinal)));

        long atKill = (await run.GetStatus()).Step;
        var killed = Stopwatch.StartNew();
        victim.Kill();
        var survivors = silos.Except([victim]).ToList();
        // Nobody calls the run meanwhile: a call would wake it too.
        await Wait.Until(() => survivors.Any(s => s.Output.Contains("run alone resumed from its checkpoint", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "alone to resume on a survivor with no worker there, no reminder, no client call");
        var resumed = killed.Elapsed;
        var done = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(180), "alone to finish",
            s => $"{s.State} at {s.Step}", retryOn: e => e is OrleansException or TimeoutException);
        log.WriteLine($"{victim.Address} held all of run alone; killed at step {atKill}; resumed from {done.LastResumeStep} on a survivor {resumed.TotalSeconds:F1} s after the kill");
        Assert.True(resumed <= RecoveryBound, $"resumed {resumed.TotalSeconds:F1} s after the kill; the bound is {RecoveryBound.TotalSeconds} s");
        Assert.True(done.State == RunState.Completed, $"{done.State}: {done.Error}");
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), (await run.GetHistory(0, Steps)).Select(h => h.Step));
    }
}
