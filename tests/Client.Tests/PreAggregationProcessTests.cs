using Thresher.Abstractions;
using Thresher.Client.Bench;
using Thresher.Client.Cluster;
using Thresher.Grains;

namespace Thresher.Client.Tests;

/// <summary>
/// --aggregate per-silo across two real thresher-silo processes (loopback, localhost clustering): W = 2 (one worker per
/// silo, a grouping that keeps worker order) ends on the plain run's θ bit for bit; W = 4 (two per silo) stays within
/// float rounding of it while the parameter server receives two gradients per step instead of four.
/// </summary>
public sealed class PreAggregationProcessTests(SyntheticData data) : IClassFixture<SyntheticData>
{
    [Fact]
    public async Task Two_silo_processes_keep_the_guarantee_and_halve_the_parameter_servers_bytes()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await using var silos = await LoopbackSilos.StartAsync(2, null, Path.GetDirectoryName(data.Directory), cancel.Token);
        await using var cluster = await RemoteCluster.ConnectAsync(silos.Gateway, LoopbackSilos.ClusterId, TimeSpan.FromSeconds(30), cancel.Token);
        var recipe = RunConfigs.Default with
        {
            Dataset = data.Directory, Layers = [16, 24, 10], Batch = 64, Steps = 10, Clip = 0.2f, Shuffle = false, Seed = 5, CheckpointEvery = 0,
        };
        long theta = (16 * 24 + 24 + 24 * 10 + 10) * sizeof(float);

        var plain2 = await Run(cluster.Client, recipe with { Workers = 2 });
        var aggregated2 = await Run(cluster.Client, recipe with { Workers = 2, Aggregate = "per-silo" });
        Assert.Equal(2, aggregated2.History[^1].WorkerSilos.Distinct().Count());
        Assert.Equal(plain2.Theta, aggregated2.Theta);

        var plain4 = await Run(cluster.Client, recipe with { Workers = 4 });
        var aggregated4 = await Run(cluster.Client, recipe with { Workers = 4, Aggregate = "per-silo" });
        Assert.Equal(2, aggregated4.History[^1].WorkerSilos.Distinct().Count());
        Assert.All(plain4.History, r => Assert.Equal(4 * theta, r.Bytes!.ServerReceived));
        Assert.All(aggregated4.History.Skip(1), r => Assert.Equal(2 * theta, r.Bytes!.ServerReceived));
        Assert.All(aggregated4.History.Skip(1), r => Assert.Equal(theta, r.Bytes!.ServerRemoteReceived));
        for (int i = 0; i < plain4.History.Length; i++)
            Assert.True(Math.Abs(plain4.History[i].GlobalNorm - aggregated4.History[i].GlobalNorm) <= 1e-4 * plain4.History[i].GlobalNorm,
                $"global norm at step {i}: plain {plain4.History[i].GlobalNorm:G10}, pre-aggregated {aggregated4.History[i].GlobalNorm:G10}");
    }

    static async Task<(StepRecord[] History, byte[] Theta)> Run(IClusterClient client, RunConfig config)
    {
        var run = client.GetGrain<IRunGrain>($"preagg-process-{config.Workers}-{config.Aggregate}-{Guid.NewGuid():N}");
        await run.Start(config, null);
        var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(120), "the run to finish", s => $"{s.State} at step {s.Step}");
        Assert.True(status.State == RunState.Completed, $"run {status.State}: {status.Error}");
        return (await run.GetHistory(0, 100), (await run.GetParameters()).Parameters);
    }
}
