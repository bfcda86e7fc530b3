namespace Thresher.Abstractions;

/// <summary>
/// One shard of a sharded parameter server (key "run id/shard index"): a contiguous slice of θ and of the optimizer's
/// state, cut at tensor boundaries by the run's shard plan. The run's parameter server is the coordinator: it calls
/// <see cref="Measure"/> and <see cref="Apply"/> on every shard each step and sees only sums of squares and scales;
/// workers fetch θ's slice (<see cref="GetParameters"/>) and send their gradient's slice (<see cref="Push"/>) here.
/// </summary>
public interface IParameterShardGrain : IGrainWithStringKey
{
    /// <summary>Takes its slice of θ_0 and of the optimizer state, and writes its first checkpoint.</summary>
    Task Initialize(ShardSetup setup);

    /// <summary>θ's slice before step <paramref name="step"/> (the shard's next step; anything else is refused).</summary>
    Task<byte[]> GetParameters(long step);

    /// <summary>Worker <paramref name="worker"/>'s gradient slice for step <paramref name="step"/> (a repeat replaces it: the same bytes).</summary>
    Task Push(long step, int worker, byte[] gradient);

    /// <summary>Σ_w of the W pushed slices (worker order) and each of its tensors' Σ g², tensor order.</summary>
    Task<double[]> Measure(long step, int workers);

    /// <summary>
    /// Ends step <paramref name="step"/>: applies <paramref name="update"/> (null: the coordinator skipped the step) and
    /// moves to the next step. AGC returns its per-layer post-clip Σ, else null. A repeat of the last step is answered again.
    /// </summary>
    Task<double[]?> Apply(long step, ShardUpdate? update);

    /// <summary>The step its next Apply must carry.</summary>
    Task<long> NextStep();

    /// <summary>Its optimizer state's slice, as the next checkpoint would store it.</summary>
    Task<OptimizerState> GetOptimizerState();

    /// <summary>Writes its slice, optimizer state and next step to grain storage; returns that step.</summary>
    Task<long> Checkpoint();

    /// <summary>Goes back to its newest intact checkpoint at or before <paramref name="maxStep"/>; returns its step.</summary>
    Task<long> Resume(long maxStep);

    Task Release();
}

/// <summary>What shard <paramref name="Shard"/> of run <paramref name="RunId"/> starts from (a new run, or a file's θ).</summary>
[GenerateSerializer, Immutable]
public sealed record ShardSetup(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunConfig Config,
    [property: Id(2)] int Shard,
    [property: Id(3)] byte[] Parameters,
    [property: Id(4)] OptimizerState? Optimizer);

/// <summary>The coordinator's decision for a step, the same for every shard (see Core's ShardDecision).</summary>
/// <param name="TensorScales">Per-tensor policy: one scale per tensor of the whole layout; else null and <paramref name="Scale"/> applies.</param>
[GenerateSerializer, Immutable]
public sealed record ShardUpdate(
    [property: Id(0)] double LearningRate,
    [property: Id(1)] float Scale,
    [property: Id(2)] float[]? TensorScales);

/// <summary>
/// A sharded run's request for worker <paramref name="Worker"/>'s part of data batch <paramref name="Batch"/>: the worker
/// fetches θ for step <paramref name="Step"/> from the shards and pushes its gradient's slices to them; its
/// <see cref="GradientResult"/> then carries an empty gradient.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ShardedGradientRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] long Step,
    [property: Id(2)] long Batch,
    [property: Id(3)] int Worker);
