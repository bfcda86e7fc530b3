using System.Globalization;
using Thresher.Core.Model;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Optim;

namespace Thresher.Core.Training;

/// <summary>
/// Everything that determines a training trajectory. Defaults are the sane recipe (MNIST, 784-512-256-10,
/// softmax cross-entropy, x/255, SGD lr 0.1 constant, batch 128, clip_by_global_norm 15, 3 epochs).
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Largest accepted global batch (rows).</summary>
    public const int MaxBatch = 65_536;

    /// <summary>
    /// Largest accepted activation workspace of one step (bytes, 4 GiB): the global batch's rows times the input
    /// and twice every layer's width (activations and deltas), in floats. The rows are split over the workers,
    /// which may all sit on one silo, so this bounds what a submission makes a silo allocate before it can fail.
    /// </summary>
    public const long MaxActivationBytes = 4L << 30;

    /// <summary>Largest accepted step count.</summary>
    public const long MaxSteps = 100_000_000;

    /// <summary>Layer sizes, input to output. Default 784-512-256-10.</summary>
    public MlpConfig Layers { get; init; } = MlpConfig.Tutorial;

    /// <summary>Loss on the linear output. Default cross-entropy.</summary>
    public LossKind Loss { get; init; } = LossKind.CrossEntropy;

    /// <summary>Pixels are divided by this (&gt; 0). Default 255; the tutorial uses 50.</summary>
    public float InputScale { get; init; } = 255f;

    /// <summary>Base (peak) learning rate (&gt; 0); the schedule scales it per step. Default 0.1 (SGD).</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Optimizer and its hyper-parameters. Default plain SGD.</summary>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Learning-rate schedule. Default constant.</summary>
    public ScheduleOptions Schedule { get; init; } = new();

    /// <summary>Global batch (rows per step, split over workers), 1..<see cref="MaxBatch"/>. Default 128.</summary>
    public int Batch { get; init; } = 128;

    /// <summary>Epochs to train (&gt; 0) when <see cref="Steps"/> is null. Default 3.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Exact step count; overrides <see cref="Epochs"/> when set.</summary>
    public long? Steps { get; init; }

    /// <summary>clip_by_global_norm's c (&gt; 0, finite), or null for no clipping. Default 15.</summary>
    public float? Clip { get; init; } = 15f;

    /// <summary>How the aggregated gradient is clipped (policy and its options). Default global: clip_by_global_norm at <see cref="Clip"/>.</summary>
    public ClipPolicyOptions ClipPolicy { get; init; } = new();

    /// <summary>What a step with a non-finite gradient does. Default skip.</summary>
    public NonFinitePolicy NonFinite { get; init; } = NonFinitePolicy.Skip;

    /// <summary>Seed of the initialiser and the data order. Default 1234.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Shuffle the training set every epoch (seeded); false keeps file order. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Weight initialiser. Default truncated normal σ = 0.1 (the tutorial's).</summary>
    public InitKind Init { get; init; } = InitKind.TruncNormal;

    /// <summary>Evaluate on the test set every N steps (0 = only at the end of each epoch and of the run).</summary>
    public int EvalEvery { get; init; }

    /// <summary>The response ladder on spikes of the loss or the global norm (default: none). See <see cref="SpikeOptions"/>.</summary>
    public SpikeOptions Spike { get; init; } = new();

    /// <summary>Batch ids the schedule leaves out (the run's skip list; default none): step s trains on the s-th batch not listed.</summary>
    public IReadOnlyList<long> OmitBatches { get; init; } = [];

    /// <summary>Faults made on purpose, for tests and demos (default none); see <see cref="InjectionRule"/>.</summary>
    public IReadOnlyList<InjectionRule> Inject { get; init; } = [];

    /// <summary>Throws <see cref="ThresherInputException"/> naming the bad value and the accepted range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Layers, nameof(Layers));
        Layers.Validate();
        Require(InputScale > 0 && float.IsFinite(InputScale), $"input-scale {Num(InputScale)}: must be a finite number > 0");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), $"lr {Num(LearningRate)}: must be a finite number > 0");
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        Optimizer.Validate();
        Schedule.Validate(LearningRate);
        Require(Batch >= 1 && Batch <= MaxBatch, $"batch {Batch}: must be in 1..{MaxBatch}");
        Require(ActivationBytes <= MaxActivationBytes,
            $"batch {Batch} with layers {Layers}: one step's activations need {ActivationBytes >> 20:N0} MiB, above the limit of {MaxActivationBytes >> 20:N0} MiB — use a smaller --batch or narrower --layers");
        Require(Epochs >= 1, $"epochs {Epochs}: must be > 0");
        Require(Steps is null || (Steps >= 1 && Steps <= MaxSteps), $"steps {Steps}: must be in 1..{MaxSteps}");
        Require(Clip is null || (Clip > 0 && float.IsFinite(Clip.Value)), $"clip {Num(Clip ?? 0)}: must be a finite number > 0, or 'none'");
        Require(EvalEvery >= 0, $"eval-every {EvalEvery}: must be ≥ 0");
        ArgumentNullException.ThrowIfNull(ClipPolicy, nameof(ClipPolicy));
        ClipPolicy.Validate(Clip);
        ArgumentNullException.ThrowIfNull(Spike, nameof(Spike));
        Spike.Validate();
        Require(OmitBatches.All(b => b >= 0), "omitted batches: ids must be ≥ 0");
    }

    /// <summary>Bytes of one step's activation workspace, summed over the workers (see <see cref="MaxActivationBytes"/>).</summary>
    public long ActivationBytes
    {
        get
        {
            long floatsPerRow = Layers.Inputs;
            for (int l = 1; l < Layers.Layers.Count; l++) floatsPerRow += 2L * Layers.Layers[l];
            return Batch * floatsPerRow * sizeof(float);
        }
    }

    /// <summary>Total steps of the run for a training set of <paramref name="stepsPerEpoch"/> steps per epoch.</summary>
    public long TotalSteps(int stepsPerEpoch) => Steps ?? (long)Epochs * stepsPerEpoch;

    /// <summary>The server half's rule for a run of <paramref name="totalSteps"/> steps: a fresh optimizer (state zero), the schedule, clip and policy.</summary>
    public UpdateRule CreateUpdateRule(ParameterLayout layout, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var optimizer = new Optimizer(Optimizer, LearningRate, layout.TotalLength);
        return new UpdateRule(layout, optimizer, Clip, NonFinite, new LearningRateSchedule(Schedule, LearningRate, Math.Max(1, totalSteps)), ClipPolicy);
    }

    /// <summary>The rule of a sharded parameter server's coordinator: clip policy, schedule, non-finite policy; the optimizer's state lives in the shards (length 0 here).</summary>
    public UpdateRule CreateCoordinatorRule(ParameterLayout layout, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new UpdateRule(layout, new Optimizer(Optimizer, LearningRate, 0), Clip, NonFinite, new LearningRateSchedule(Schedule, LearningRate, Math.Max(1, totalSteps)), ClipPolicy);
    }

    static void Require(bool ok, string message)
    {
        if (!ok) throw new ThresherInputException(message);
    }

    static string Num(float v) => v.ToString(CultureInfo.InvariantCulture);
}
