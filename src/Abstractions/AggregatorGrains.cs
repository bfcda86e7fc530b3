namespace Thresher.Abstractions;

/// <summary>
/// A run's pre-aggregator on one silo (--aggregate per-silo; key "run id/silo", the silo as workers name theirs in
/// <see cref="GradientResult.Silo"/>; placed on that silo while it is in the cluster). Each step it takes θ once from
/// the parameter server, hands the same bytes to its workers (in-silo calls copy nothing: [Immutable]), sums their
/// gradients in worker order and answers one gradient, with each worker's small statistics beside it.
/// </summary>
public interface IAggregatorGrain : IGrainWithStringKey
{
    /// <summary>Takes the run's config (once per activation; again after a null answer), to set up its workers when they ask.</summary>
    Task SetUp(AggregatorSetup setup);

    /// <summary>The silo partial sum of the request's workers; null when this activation has no <see cref="AggregatorSetup"/> yet.</summary>
    Task<SiloGradient?> Aggregate(AggregateRequest request);
}

/// <summary>What an aggregator of run <paramref name="RunId"/> needs besides θ: the run's config (for its workers' setups).</summary>
[GenerateSerializer, Immutable]
public sealed record AggregatorSetup(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunConfig Config);

/// <summary>
/// Data batch <paramref name="Batch"/> of run <paramref name="RunId"/> at θ (<paramref name="Parameters"/>: float32 bytes,
/// layout order, never mutated while the call is in flight) for <paramref name="Workers"/> (ascending worker indices).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AggregateRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] long Batch,
    [property: Id(2)] int[] Workers,
    [property: Id(3)] byte[] Parameters);

/// <summary>
/// One silo's share of a step: <paramref name="Sum"/> = Σ g_w over its workers, added in worker order in float (float32
/// bytes), and each worker's reply without its gradient (<see cref="GradientResult.Gradient"/> empty), in worker order.
/// </summary>
/// <param name="Silo">The aggregator's silo.</param>
/// <param name="GradientsReceived">Gradient bytes its workers answered with.</param>
/// <param name="RemoteGradientsReceived">The part of them from workers on another silo than the aggregator's (a worker that moved).</param>
/// <param name="ParametersSent">θ bytes it handed to its workers (one θ per worker; a copy only where the worker lives elsewhere).</param>
[GenerateSerializer, Immutable]
public sealed record SiloGradient(
    [property: Id(0)] byte[] Sum,
    [property: Id(1)] GradientResult[] Workers,
    [property: Id(2)] string Silo,
    [property: Id(3)] long GradientsReceived,
    [property: Id(4)] long RemoteGradientsReceived,
    [property: Id(5)] long ParametersSent);
