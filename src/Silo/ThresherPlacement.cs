using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using Thresher.Grains;

namespace Thresher.Silo;

/// <summary>
/// Where a multi-silo cluster puts a run's grains:
/// - workers: their class's own placement (<see cref="AvoidSuspectSilosPlacement"/>: spread over the silos by
///   <c>WorkerSpread</c>, off the silos their run moved them from), which wins over this resolver;
/// - the run grain and its parameter server prefer the silo that activates them: the run lands on the
///   gateway silo that received the submission and θ stays beside it.
/// A silo started with <c>--host-workers false</c> does not list the worker grain class at all, so no silo places
/// a worker there (Orleans' compatible silos for a grain type are those whose manifest lists its class): the way to
/// keep workers off the parameter server's silo, or on it alone (deploy/netsim.sh's --placement).
/// </summary>
sealed class ThresherPlacementResolver(GrainTypeResolver grainTypes) : IPlacementStrategyResolver
{
    readonly GrainType _run = grainTypes.GetGrainType(typeof(RunGrain));
    readonly GrainType _parameterServer = grainTypes.GetGrainType(typeof(ParameterServerGrain));
    readonly PreferLocalPlacement _local = new();

    public bool TryResolvePlacementStrategy(GrainType grainType, GrainProperties? properties, out PlacementStrategy result)
    {
        result = null!;
        if (properties is not null && properties.Properties.ContainsKey(WellKnownGrainTypeProperties.PlacementStrategy)) return false;
        if (grainType.Equals(_run) || grainType.Equals(_parameterServer)) result = _local;
        return result is not null;
    }
}

static class ThresherPlacementExtensions
{
    /// <param name="hostWorkers">False: this silo hosts no worker grains (runs, parameter servers and everything else still).</param>
    public static ISiloBuilder AddThresherPlacement(this ISiloBuilder silo, bool hostWorkers = true)
    {
        silo.Services.AddSingleton<IPlacementStrategyResolver, ThresherPlacementResolver>();
        if (!hostWorkers) silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.Remove(typeof(WorkerGrain)));
        return silo;
    }
}
