namespace Thresher.Abstractions;

/// <summary>
/// What worker <paramref name="Worker"/> of run <paramref name="RunId"/> needs besides θ: the run's config (validated
/// by the run grain when the run arrived). The parameter server sends it once per worker activation: to every worker
/// when the run starts, and again to a worker that answers a <see cref="GradientRequest"/> with null (a fresh
/// activation, e.g. re-placed on another silo after its silo died). A run's config never changes.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorkerSetup(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunConfig Config,
    [property: Id(2)] int Worker);

/// <summary>
/// The parameter server asks worker <paramref name="Worker"/> for its part of step <paramref name="Step"/>'s
/// gradient at θ. <paramref name="Parameters"/> is θ as little-endian float32 bytes (layout order); byte[] travels
/// as one block copy, and in-silo not at all ([Immutable]): the sender never mutates it while the call is in
/// flight. The run's config is not here: it reached the worker once, in its <see cref="WorkerSetup"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GradientRequest(
    [property: Id(0)] string RunId,
    [property: Id(2)] long Step,
    [property: Id(3)] int Worker,
    [property: Id(4)] byte[] Parameters)
{
    /// <summary>
    /// Non-zero: a streamed exchange (--overlap). <see cref="Parameters"/> is empty; θ arrives in <see cref="ParameterPart"/>s
    /// and the gradient leaves through <see cref="IWorkerGrain.PullGradient"/>, all carrying this id; ids grow from
    /// exchange to exchange, so a worker drops a late message of an exchange a newer one superseded. The reply's
    /// gradient is empty.
    /// </summary>
    [Id(111)] public long Exchange { get; init; }
}

/// <summary>
/// Part <paramref name="Part"/> of θ for streamed exchange <paramref name="Exchange"/>: float32 bytes of that part's range
/// (Core's StreamPlan), a slice of the parameter server's θ itself (serialised from it, or read in place in-silo; θ does
/// not change while the step's calls are in flight).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ParameterPart(
    [property: Id(0)] long Exchange,
    [property: Id(1)] int Part,
    [property: Id(2)] ReadOnlyMemory<byte> Bytes);

/// <summary>
/// Part <paramref name="Part"/> of a streamed exchange's gradient: float32 bytes of that part's range, a slice of the
/// worker's gradient itself (valid until the worker is asked for its next exchange). A record, not a bare
/// ReadOnlyMemory&lt;byte&gt; reply: its generated codec writes the bytes as one block (Orleans' ReadOnlyMemoryOfByteCodec),
/// where a bare reply measured 6× slower on netsim.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GradientPart(
    [property: Id(0)] long Exchange,
    [property: Id(1)] int Part,
    [property: Id(2)] ReadOnlyMemory<byte> Bytes);

/// <summary>
/// A worker's share of a step: <paramref name="Gradient"/> = (1/B)·∇ Σ_{its samples} loss as float32 bytes
/// (B = the step's global batch), so the parameter server's mean gradient is the plain sum over workers. With
/// <see cref="RunConfig.Wire"/> bf16 it is bfloat16 bytes (2 per parameter, error feedback applied; a replay stays float32).
/// </summary>
/// <param name="Samples">n_w, the worker's rows this step.</param>
/// <param name="LossSum">Σ of the per-row loss over its rows.</param>
/// <param name="LocalNorm">‖∇ mean loss over its own rows‖ (the worker's view of the norm).</param>
/// <param name="ComputeMilliseconds">Gather + forward + backward time.</param>
/// <param name="Silo">Address of the silo that computed it.</param>
[GenerateSerializer, Immutable]
public sealed record GradientResult(
    [property: Id(0)] long Step,
    [property: Id(1)] int Worker,
    [property: Id(2)] byte[] Gradient,
    [property: Id(3)] int Samples,
    [property: Id(4)] double LossSum,
    [property: Id(5)] double LocalNorm,
    [property: Id(6)] double ComputeMilliseconds,
    [property: Id(7)] string Silo)
{
    /// <summary>θ bytes this worker received with the request, as it measured them (0 from a worker of an earlier version).</summary>
    [Id(110)] public long ParametersReceivedBytes { get; init; }
}

/// <summary>
/// A run's optimizer state (PyTorch's names), float32 bytes in layout order, each P floats or empty where the optimizer
/// keeps none: SGD's momentum buffer, Adam's first and second moments, and the updates applied so far.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OptimizerState(
    [property: Id(0)] byte[] MomentumBuffer,
    [property: Id(1)] byte[] ExpAvg,
    [property: Id(2)] byte[] ExpAvgSq,
    [property: Id(3)] long Steps);
