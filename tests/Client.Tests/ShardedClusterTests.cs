using Thresher.Abstractions;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// The sharded parameter server across three thresher-silo processes with Redis membership and checkpoints: a run with
/// --ps-shards 3 ends with the bits of its --ps-shards 1 twin, and a 16M-parameter MLP trains sharded over the silos.
/// Each test starts and stops (by PID) its own silos. No timing claims: the figures belong to a quiet machine.
/// </summary>
public sealed class ShardedClusterTests : IClassFixture<RedisServer>, IClassFixture<SyntheticData>
{
    readonly RedisServer _redis;
    readonly SyntheticData _data;
    readonly ITestOutputHelper _log;

    public ShardedClusterTests(RedisServer redis, SyntheticData data, ITestOutputHelper log) => (_redis, _data, _log) = (redis, data, log);

    [RedisFact]
    public async Task Three_shards_over_three_silo_processes_end_with_the_bits_of_one()
    {
        string clusterId = $"shard-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(_redis.Address, clusterId, 3, _log);
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[2].Gateway, clusterId, TimeSpan.FromSeconds(60), CancellationToken.None);
        foreach (int shards in new[] { 1, 3 })
        {
            var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", "--gateway", silos[0].Gateway, "--cluster-id", clusterId, "--connect-timeout", "60",
                "--data", _data.Directory, "--layers", "16,24,20,10", "--init", "he", "--lr", "0.3", "--momentum", "0.9", "--clip", "0.7",
                "--workers", "3", "--batch", "48", "--steps", "60", "--checkpoint-every", "20", "--seed", "5",
                "--ps-shards", $"{shards}", "--run-id", $"shards-{shards}"]);
            Assert.True(code == 0, $"submit --ps-shards {shards}: exit {code}: {stdout}{stderr}");
        }
        var runs = new[] { 1, 3 }.Select(s => client.Client.GetGrain<IRunGrain>($"shards-{s}")).ToArray();
        foreach (var run in runs)
        {
            var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(180), "the run to finish", s => $"{s.State} at step {s.Step}");
            Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        }
        var (one, three) = (await runs[0].GetHistory(0, 100), await runs[1].GetHistory(0, 100));
        Assert.Equal(60, three.Length);
        Assert.Equal(one.Select(r => (r.Loss, r.GlobalNorm, r.Clipped)), three.Select(r => (r.Loss, r.GlobalNorm, r.Clipped)));
        Assert.Contains(three, r => r.Clipped);
        Assert.Equal((await runs[0].GetParameters()).Parameters, (await runs[1].GetParameters()).Parameters);
        _log.WriteLine($"worker silos of the sharded run: {string.Join(' ', three[^1].WorkerSilos)}");
    }

    [RedisMnistFact]
    public async Task A_16M_parameter_MLP_trains_with_four_shards_across_three_silos()
    {
        string clusterId = $"shard-{Guid.NewGuid():N}"[..16];
        // Setting up 20M parameters (θ_0, the shards' first checkpoints in Redis) and a step take longer than the fast 10 s response timeout on a loaded machine.
        var slowCalls = new Dictionary<string, string> { ["Orleans__Messaging__ResponseTimeout"] = "00:05:00" };
        await using var silos = await ChaosSilos.StartAsync(_redis.Address, clusterId, 3, _log, slowCalls);
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[2].Gateway, clusterId, TimeSpan.FromSeconds(60), CancellationToken.None);
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", "--gateway", silos[0].Gateway, "--cluster-id", clusterId, "--connect-timeout", "60",
            "--layers", "784,4096,4096,10", "--ps-shards", "4", "--workers", "3", "--batch", "96", "--steps", "3",
            "--checkpoint-every", "0", "--worker-timeout", "600", "--run-id", "wide"]);
        // The CLI's calls time out after Orleans' default 30 s; setting up 20M parameters under a heavy load can take longer,
        // and the run starts anyway (the silo goes on with Start): such a timeout is logged, any other failure fails the test.
        bool startTimedOut = code == 1 && stderr.Contains("Response did not arrive on time", StringComparison.Ordinal) && stderr.Contains("IRunGrain.Start", StringComparison.Ordinal);
        Assert.True(code == 0 || startTimedOut, $"submit: exit {code}: {stdout}{stderr}");
        if (startTimedOut) _log.WriteLine("submit: the client's 30 s response timeout passed while the run was starting; waiting for the run itself");
        var run = client.Client.GetGrain<IRunGrain>("wide");
        var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromMinutes(8), "the 16M-parameter run to finish", s => $"{s.State} at step {s.Step}");
        Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        var history = await run.GetHistory(0, 10);
        Assert.Equal(3, history.Length);
        Assert.All(history, r => Assert.True(double.IsFinite(r.Loss) && double.IsFinite(r.GlobalNorm), $"step {r.Step}: loss {r.Loss}, norm {r.GlobalNorm}"));
        Assert.True(history[^1].WorkerSilos.Distinct().Count() >= 2, $"workers on {string.Join(' ', history[^1].WorkerSilos)}: one silo");
        _log.WriteLine($"16M parameters, 4 shards: steps {string.Join(", ", history.Select(r => $"{r.StepMilliseconds:F0} ms"))}; loss {history[0].Loss:F3} → {history[^1].Loss:F3}");
    }
}
