using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Thresher.Abstractions;
using Thresher.Core.Data;

namespace Thresher.Grains.Tests;

/// <summary>
/// A two-silo in-process cluster whose checkpoint storage is <see cref="FaultyStorage"/> over memory storage, with a
/// storage outage limit of <see cref="OutageLimitSeconds"/> s; the same synthetic dataset as <see cref="ClusterFixture"/>.
/// </summary>
public sealed class FaultyStorageFixture : IAsyncLifetime
{
    public const int OutageLimitSeconds = 10;
    const string InnerStorage = "thresher-checkpoints-inner";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public StorageFaults Faults { get; } = new();

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"thresher-faulty-{Guid.NewGuid():N}");

    public IClusterClient Client => Cluster.Client;

    /// <summary>Silo 0's checkpoint storage (faults included): what tests read and write records through.</summary>
    public IGrainStorage Storage => Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(CheckpointStorage.Name);

    public async Task InitializeAsync()
    {
        SyntheticDataset.Write(DataDirectory, trainCount: 2000, testCount: 400, rows: 4, cols: 4);
        var faults = Faults;
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(InnerStorage).UseInMemoryReminderService().AddThresherGrains();
            silo.Services.AddKeyedSingleton<IGrainStorage>(CheckpointStorage.Name,
                (services, _) => new FaultyStorage(services.GetRequiredKeyedService<IGrainStorage>(InnerStorage), faults));
            silo.Services.Configure<SiloTrainingOptions>(o =>
            {
                o.DataRoots = Path.GetTempPath();
                o.StorageOutageLimitSeconds = OutageLimitSeconds;
            });
        });
        builder.ConfigureClient(client => client.Services.AddThresherSerialization());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        Faults.Reset();
        await Cluster.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class FaultyStorageCollection : ICollectionFixture<FaultyStorageFixture>
{
    public const string Name = "faulty storage";
}
