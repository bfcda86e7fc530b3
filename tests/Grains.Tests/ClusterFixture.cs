using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Thresher.Abstractions;
using Thresher.Core.Data;

namespace Thresher.Grains.Tests;

/// <summary>
/// An in-process test cluster of two silos running Thresher's grains, plus a small synthetic dataset
/// (4×4 images, 10 classes) on disk that runs point at by directory.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int Features = 16;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"thresher-grains-{Guid.NewGuid():N}");

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        SyntheticDataset.Write(DataDirectory, trainCount: 2000, testCount: 400, rows: 4, cols: 4);
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryCheckpointStorage().UseInMemoryReminderService().AddThresherGrains();
            silo.Services.Configure<SiloTrainingOptions>(o => o.DataRoots = Path.GetTempPath()); // the synthetic dataset's home
        });
        builder.ConfigureClient(client =>
        {
            client.Services.AddThresherSerialization();
            client.AddActivityPropagation();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
