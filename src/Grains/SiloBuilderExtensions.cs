using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains;

public static class SiloBuilderExtensions
{
    /// <summary>Registers what Thresher's grains need in a silo (options bound by the host).</summary>
    public static ISiloBuilder AddThresherGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddThresherSerialization();
        silo.AddActivityPropagation();
        silo.Services.AddSingleton<SiloDatasets>();
        silo.Services.AddOptions<SiloTrainingOptions>();
        silo.Services.AddSingleton<LocalRuns>();
        silo.Services.AddHostedService<RunWaker>(); // a silo's death wakes the runs it may have held, not their reminders
        silo.Services.AddPlacementDirector<AvoidSuspectSilosPlacement, AvoidSuspectSilosPlacementDirector>();
        silo.Services.AddPlacementDirector<SiloInKeyPlacement, SiloInKeyPlacementDirector>(); // a run's aggregator per silo
        return silo;
    }

    /// <summary>
    /// Checkpoint storage in silo memory (<see cref="CheckpointStorage.Name"/>), with Orleans' binary serializer as the
    /// Redis storage uses: memory storage's default JSON serializer leaves out null values, so a run configured with
    /// no clip norm (Clip null) would read back with the default 15 and fail its checkpoint's digest.
    /// </summary>
    public static ISiloBuilder AddMemoryCheckpointStorage(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return silo.AddMemoryGrainStorage(CheckpointStorage.Name, (OptionsBuilder<MemoryGrainStorageOptions> options) => options.Configure<IServiceProvider>(
            (o, services) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>())));
    }
}
