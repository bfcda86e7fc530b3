using Microsoft.Extensions.DependencyInjection;
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
        return silo;
    }
}
