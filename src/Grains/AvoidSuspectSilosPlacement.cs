using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Thresher.Grains;

/// <summary>
/// Where a run's workers may live: the compatible silos, spread by <see cref="WorkerSpread"/>, except the silos the run has moved its
/// workers off (<c>--fault-limit</c>). The parameter server names those silos in the request context of every call
/// to a worker (<see cref="AvoidedSilos"/>), so any new activation of a worker — after a move, a silo's death or
/// collection — avoids them; when every compatible silo is avoided, any compatible silo will do (the run goes on).
/// </summary>
[GenerateSerializer, Immutable]
public sealed class AvoidSuspectSilosPlacement : PlacementStrategy
{
    public static readonly AvoidSuspectSilosPlacement Singleton = new();
}

/// <summary>Places a grain class by <see cref="AvoidSuspectSilosPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class AvoidSuspectSilosPlacementAttribute() : PlacementAttribute(AvoidSuspectSilosPlacement.Singleton);

/// <summary>The director of <see cref="AvoidSuspectSilosPlacement"/>.</summary>
sealed class AvoidSuspectSilosPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var compatible = context.GetCompatibleSilos(target);
        var avoided = AvoidedSilos.Parse(target.RequestContextData?.GetValueOrDefault(AvoidedSilos.Key) as string);
        var allowed = compatible.Where(s => !avoided.Contains(AvoidedSilos.Name(s))).ToArray();
        var from = allowed.Length > 0 ? allowed : compatible;
        return Task.FromResult(WorkerSpread.Pick(from, target.GrainIdentity));
    }
}

/// <summary>The request-context entry that names a run's avoided silos: their addresses ("host:port"), comma-separated.</summary>
static class AvoidedSilos
{
    public const string Key = "thresher.avoided-silos";

    /// <summary>A silo's name as workers report it (<see cref="Abstractions.GradientResult.Silo"/>).</summary>
    public static string Name(SiloAddress silo) => silo.Endpoint.ToString();

    public static HashSet<string> Parse(string? text)
        => new((text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

    /// <summary>The silos this call's context says to avoid.</summary>
    public static HashSet<string> Current() => Parse(RequestContext.Get(Key) as string);

    /// <summary>Names <paramref name="silos"/> in the request context of the calls that follow (none: the entry is removed).</summary>
    public static void Set(IReadOnlyCollection<string> silos)
    {
        if (silos.Count == 0) RequestContext.Remove(Key);
        else RequestContext.Set(Key, string.Join(',', silos));
    }
}
