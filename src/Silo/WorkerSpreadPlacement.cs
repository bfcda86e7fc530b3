using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using Thresher.Grains;

namespace Thresher.Silo;

/// <summary>
/// Where a multi-silo cluster puts a run's grains (a hosting decision, so it lives in the silo host and
/// not as attributes on the grains):
/// - worker "RUN/w" goes to silo (hash(RUN) + w) mod N of the active silos in address order, so a run's
///   workers spread over the silos deterministically (Orleans' default, resource-optimised placement,
///   may put all of them on one silo) and a silo that joins takes workers of the runs that start, or
///   re-activate, after it joined;
/// - the run grain and its parameter server prefer the silo that activates them: the run lands on the
///   gateway silo that received the submission and θ stays beside it.
/// A placement attribute the grain classes declare themselves wins over this resolver.
/// A silo started with <c>--host-workers false</c> does not list the worker grain class at all, so no silo places
/// a worker there (Orleans' compatible silos for a grain type are those whose manifest lists its class): the way to
/// keep workers off the parameter server's silo, or on it alone (deploy/netsim.sh's --placement).
/// </summary>
sealed class WorkerSpreadPlacement : PlacementStrategy;

sealed class WorkerSpreadPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0)
            throw new OrleansException($"no active silo can host {target.GrainIdentity}");
        Array.Sort(silos, (a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        string key = target.GrainIdentity.Key.ToString() ?? "";
        int slash = key.LastIndexOf('/');
        ulong run = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(slash < 0 ? key : key[..slash]));
        ulong worker = slash >= 0 && ulong.TryParse(key.AsSpan(slash + 1), out ulong w) ? w : 0;
        return Task.FromResult(silos[(int)((run + worker) % (ulong)silos.Length)]);
    }
}

sealed class ThresherPlacementResolver(GrainTypeResolver grainTypes) : IPlacementStrategyResolver
{
    readonly GrainType _worker = grainTypes.GetGrainType(typeof(WorkerGrain));
    readonly GrainType _run = grainTypes.GetGrainType(typeof(RunGrain));
    readonly GrainType _parameterServer = grainTypes.GetGrainType(typeof(ParameterServerGrain));
    readonly WorkerSpreadPlacement _spread = new();
    readonly PreferLocalPlacement _local = new();

    public bool TryResolvePlacementStrategy(GrainType grainType, GrainProperties? properties, out PlacementStrategy result)
    {
        result = null!;
        if (properties is not null && properties.Properties.ContainsKey(WellKnownGrainTypeProperties.PlacementStrategy)) return false;
        if (grainType.Equals(_worker)) result = _spread;
        else if (grainType.Equals(_run) || grainType.Equals(_parameterServer)) result = _local;
        return result is not null;
    }
}

static class WorkerSpreadPlacementExtensions
{
    /// <param name="hostWorkers">False: this silo hosts no worker grains (runs, parameter servers and everything else still).</param>
    public static ISiloBuilder AddWorkerSpreadPlacement(this ISiloBuilder silo, bool hostWorkers = true)
    {
        silo.Services.AddSingleton<IPlacementStrategyResolver, ThresherPlacementResolver>();
        silo.Services.AddPlacementDirector<WorkerSpreadPlacement, WorkerSpreadPlacementDirector>();
        if (!hostWorkers) silo.Services.PostConfigure<GrainTypeOptions>(o => o.Classes.Remove(typeof(WorkerGrain)));
        return silo;
    }
}
