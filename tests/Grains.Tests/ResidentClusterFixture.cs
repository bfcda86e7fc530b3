using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Thresher.Abstractions;
using Thresher.Core.Backends;
using Thresher.Core.Data;

namespace Thresher.Grains.Tests;

/// <summary>
/// A one-silo test cluster whose backend offers a device-resident trainer (<see cref="HostResidentTrainer"/>, as a GPU
/// silo's does), plus the synthetic dataset of <see cref="ClusterFixture"/>'s shape.
/// </summary>
public sealed class ResidentClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"thresher-resident-{Guid.NewGuid():N}");

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        SyntheticDataset.Write(DataDirectory, trainCount: 2000, testCount: 400, rows: 4, cols: 4);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryCheckpointStorage().UseInMemoryReminderService().AddThresherGrains();
            silo.Services.Configure<SiloTrainingOptions>(o => o.DataRoots = Path.GetTempPath());
            silo.Services.AddSingleton(new GradientBackendFactory("cpu + host resident stand-in", GradientBackendFactory.Cpu.Create) { Resident = HostResidentTrainer.Factory });
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
