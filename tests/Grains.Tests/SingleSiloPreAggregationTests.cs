using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Thresher.Abstractions;
using Thresher.Core.Data;

namespace Thresher.Grains.Tests;

/// <summary>
/// --aggregate per-silo on a one-silo cluster: one aggregator sums every worker in worker order, the parameter server's own
/// sum, so the trajectory is the plain one bit for bit (W = 1, 2, 4), and the parameter server receives one |θ| per step.
/// </summary>
public sealed class SingleSiloPreAggregationTests(SingleSiloFixture fixture) : IClassFixture<SingleSiloFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task One_silo_is_bit_identical_to_the_plain_run(int workers)
    {
        var plain = await PreAggregationRuns.Run(fixture.Cluster.Client, PreAggregationRuns.Recipe(fixture.DataDirectory, workers, "none"));
        var aggregated = await PreAggregationRuns.Run(fixture.Cluster.Client, PreAggregationRuns.Recipe(fixture.DataDirectory, workers, "per-silo"));
        Assert.Equal(plain.Theta, aggregated.Theta);
        Assert.Equal(plain.History.Select(r => r.Loss), aggregated.History.Select(r => r.Loss));
        Assert.Equal(plain.History.Select(r => r.GlobalNorm), aggregated.History.Select(r => r.GlobalNorm));
        Assert.All(aggregated.History, r => Assert.Equal(PreAggregationRuns.ThetaBytes, r.Bytes!.ServerReceived));
        Assert.All(aggregated.History, r => Assert.Equal(workers * PreAggregationRuns.ThetaBytes, r.Bytes!.AggregatorReceived));
    }
}

/// <summary>An in-process test cluster of one silo with the same synthetic dataset as <see cref="ClusterFixture"/>.</summary>
public sealed class SingleSiloFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"thresher-grains-1silo-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        SyntheticDataset.Write(DataDirectory, trainCount: 2000, testCount: 400, rows: 4, cols: 4);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryCheckpointStorage().UseInMemoryReminderService().AddThresherGrains();
            silo.Services.Configure<SiloTrainingOptions>(o => o.DataRoots = Path.GetTempPath());
        });
        builder.ConfigureClient(client => client.Services.AddThresherSerialization());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
