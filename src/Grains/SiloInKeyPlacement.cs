using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Thresher.Grains;

/// <summary>
/// Places a grain keyed "…/SILO" on the silo so named (its endpoint, as <see cref="AvoidedSilos.Name"/> writes it): a run's
/// aggregator lives beside the workers it sums. When that silo is not (or no longer) in the cluster or cannot host the
/// grain, the calling silo does, else the first compatible one: the aggregator still works, across a link.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class SiloInKeyPlacement : PlacementStrategy
{
    public static readonly SiloInKeyPlacement Singleton = new();
}

/// <summary>Places a grain class by <see cref="SiloInKeyPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloInKeyPlacementAttribute() : PlacementAttribute(SiloInKeyPlacement.Singleton);

/// <summary>The director of <see cref="SiloInKeyPlacement"/>.</summary>
sealed class SiloInKeyPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var compatible = context.GetCompatibleSilos(target);
        if (compatible.Length == 0) throw new OrleansException($"no active silo can host {target.GrainIdentity}");
        string key = target.GrainIdentity.Key.ToString() ?? "";
        string named = key[(key.LastIndexOf('/') + 1)..];
        var pick = compatible.FirstOrDefault(s => AvoidedSilos.Name(s) == named)
            ?? compatible.FirstOrDefault(s => s.Equals(context.LocalSilo))
            ?? compatible.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).First();
        return Task.FromResult(pick);
    }
}
