using Orleans.Concurrency;

namespace Thresher.Abstractions;

/// <summary>
/// A run as clients see it (key: run id). Drives the steps from a grain timer, one step per turn, so
/// status, history and cancel answer between steps.
/// </summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the run; <paramref name="initialParameters"/> (float32 bytes) replaces the initialiser, and
    /// <paramref name="initialOptimizer"/> the optimizer's zero state (a file saved with --save-optimizer).
    /// </summary>
    Task<RunStatus> Start(RunConfig config, byte[]? initialParameters, OptimizerState? initialOptimizer = null);

    /// <summary>Answers even while a step (or a resume after a silo failure) is in flight: it only reads.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<RunStatus> GetStatus();

    /// <summary>Steps with index ≥ <paramref name="fromStep"/>, at most <paramref name="max"/>.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<StepRecord[]> GetHistory(long fromStep, int max);

    /// <summary>Stops a pending or running run after its current step; a finished run is left as it is.</summary>
    Task<RunStatus> Cancel();

    /// <summary>θ now, float32 bytes in layout order, with the step it belongs to.</summary>
    Task<ParameterSnapshot> GetParameters();

    /// <summary>The optimizer's state now (momentum buffer or Adam's moments, and its step count).</summary>
    Task<OptimizerState> GetOptimizerState();
}

/// <summary>Holds θ and the optimizer for one run (key: run id); one call is one synchronous step.</summary>
public interface IParameterServerGrain : IGrainWithStringKey
{
    /// <summary>Creates θ (from the seed or <paramref name="initialParameters"/>) and the optimizer state (zero, or <paramref name="initialOptimizer"/>).</summary>
    Task<int> Initialize(RunConfig config, byte[]? initialParameters, OptimizerState? initialOptimizer = null);

    /// <summary>
    /// Broadcasts θ, gathers the workers' gradients, clips, updates; evaluates when <paramref name="evaluate"/>.
    /// <paramref name="step"/> is the step's id: it must be the next step; the step before it, asked again,
    /// returns its recorded result without a second update; any other id is refused.
    /// </summary>
    Task<StepRecord> Step(long step, bool evaluate);

    Task<ParameterSnapshot> GetParameters();

    /// <summary>A copy of the optimizer's state, as the next checkpoint would store it.</summary>
    Task<OptimizerState> GetOptimizerState();

    /// <summary>Writes θ, the optimizer state and the next step to grain storage; returns that step.</summary>
    Task<long> Checkpoint();

    /// <summary>
    /// After a failed step: the step the run goes on from, given the <paramref name="recordedSteps"/> the run has
    /// recorded. A live parameter server answers its next step; one that lost its state (its silo died) or ran
    /// ahead of the record goes back to its newest intact checkpoint, which is never after <paramref name="recordedSteps"/>.
    /// </summary>
    Task<ResumePoint> Resume(long recordedSteps);

    /// <summary>The step id the next <see cref="Step"/> must carry (steps before it are applied).</summary>
    Task<long> NextStep();

    /// <summary>Releases θ and the workers' buffers when the run is over.</summary>
    Task Release();
}

/// <summary>Computes one worker's part of a step's gradient (key: "run id/worker index").</summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>Takes the run's config (once per activation; again after a null answer) and loads its data.</summary>
    Task SetUp(WorkerSetup setup);

    /// <summary>Its part of the step's gradient; null when this activation has no <see cref="WorkerSetup"/> yet.</summary>
    Task<GradientResult?> ComputeGradient(GradientRequest request);

    /// <summary>
    /// Recomputes another worker's part (<see cref="GradientRequest.Worker"/>: whose rows) from the same θ, into a buffer
    /// of its own: the response ladder's replay of a spike's suspect part. Null, as ComputeGradient, when not set up.
    /// </summary>
    Task<GradientResult?> ReplayGradient(GradientRequest request);

    /// <summary>
    /// A sharded run's part: θ fetched from the run's shards, the gradient's slices pushed to them, the result (with an
    /// empty gradient) returned. Null, as ComputeGradient, when not set up.
    /// </summary>
    Task<GradientResult?> ComputeSharded(ShardedGradientRequest request);

    /// <summary>
    /// A part of θ for a streamed exchange (<see cref="GradientRequest.Exchange"/>), taken while the exchange's
    /// ComputeGradient runs (interleaved). Dropped by an activation that is not set up (its exchange answers null).
    /// </summary>
    [AlwaysInterleave]
    Task ReceiveParameters(ParameterPart part);

    /// <summary>
    /// Part <paramref name="part"/> of a streamed exchange's gradient, answered once it is final; null when the exchange
    /// will not produce it (not set up, moved, or superseded by another exchange).
    /// </summary>
    [AlwaysInterleave]
    Task<GradientPart?> PullGradient(long exchange, int part);
}

/// <summary>The cluster's list of runs (key 0), stored: every run in submission order, and which are still active.</summary>
public interface IRunRegistryGrain : IGrainWithIntegerKey
{
    Task Register(string runId);

    /// <summary>The run ended (completed, failed or cancelled, and stored so): a silo's death no longer wakes it.</summary>
    Task Ended(string runId);

    Task<string[]> List();

    /// <summary>The runs registered and not ended: those a survivor wakes when a silo dies.</summary>
    Task<string[]> Active();
}

/// <summary>Where a run goes on after a failure; <paramref name="Warning"/> says which checkpoints were passed over and why.</summary>
[GenerateSerializer, Immutable]
public sealed record ResumePoint(
    [property: Id(0)] long Step,
    [property: Id(1)] string? Warning);

/// <summary>θ as float32 bytes (layout order) at a step.</summary>
[GenerateSerializer, Immutable]
public sealed record ParameterSnapshot(
    [property: Id(0)] long Step,
    [property: Id(1)] int[] Layers,
    [property: Id(2)] byte[] Parameters);
