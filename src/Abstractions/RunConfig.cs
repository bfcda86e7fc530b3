using System.Globalization;

namespace Thresher.Abstractions;

/// <summary>
/// A training run as submitted to the cluster: the training options that fix its trajectory plus how it is
/// spread (workers, shard mode) and which dataset the silos load. Plain strings for the enumerations keep the
/// wire format independent of Core's types; the conversion to Core's options and the validation live with the
/// grains (Thresher.Grains.RunConfigTraining), so this contract assembly does not need Core.
/// No defaults here: every default of a run is written once, in Core's presets (Thresher.Core.Training.Presets,
/// RunRecipe). Build a RunConfig with Thresher.Grains.RunConfigs.FromRecipe / RunConfigs.Default and change
/// what differs with `with { ... }`; a blank RunConfig is not a valid run.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunConfig
{
    /// <summary>Most workers one run may use.</summary>
    public const int MaxWorkers = 256;

    /// <summary>
    /// Largest accepted sum of the workers' gradient buffers (bytes, 4 GiB): each worker holds one gradient of the
    /// whole model, and the parameter server receives all of them in every step.
    /// </summary>
    public const long MaxGradientBytes = 4L << 30;

    /// <summary>Dataset name (mnist, fashion-mnist) or a directory on the silos.</summary>
    [Id(0)] public string Dataset { get; init; } = "";

    /// <summary>Layer sizes, input to output.</summary>
    [Id(1)] public int[] Layers { get; init; } = [];

    /// <summary>ce or mse.</summary>
    [Id(2)] public string Loss { get; init; } = "";

    [Id(3)] public float InputScale { get; init; }

    [Id(4)] public float LearningRate { get; init; }

    [Id(5)] public float Momentum { get; init; }

    /// <summary>Global batch, split over the workers.</summary>
    [Id(6)] public int Batch { get; init; }

    /// <summary>Worker grains, 1..<see cref="MaxWorkers"/>, at most <see cref="Batch"/>.</summary>
    [Id(7)] public int Workers { get; init; }

    [Id(8)] public int Epochs { get; init; }

    [Id(9)] public long? Steps { get; init; }

    /// <summary>clip_by_global_norm's c, or null for none.</summary>
    [Id(10)] public float? Clip { get; init; }

    /// <summary>skip or abort.</summary>
    [Id(11)] public string NonFinite { get; init; } = "";

    [Id(12)] public int Seed { get; init; }

    [Id(13)] public bool Shuffle { get; init; }

    /// <summary>truncnormal, he or glorot.</summary>
    [Id(14)] public string Init { get; init; } = "";

    /// <summary>Evaluate every N steps; 0 = at each epoch end and at the end of the run.</summary>
    [Id(15)] public int EvalEvery { get; init; }

    /// <summary>batch (the global batch split over workers) or fixed (a data-local shard per worker).</summary>
    [Id(16)] public string ShardMode { get; init; } = "";

    /// <summary>Explosion alert on a pre-clip global norm above this; null = no absolute threshold.</summary>
    [Id(17)] public double? AlertThreshold { get; init; }

    /// <summary>Explosion alert on a norm above k × the rolling median.</summary>
    [Id(18)] public double AlertSpikeFactor { get; init; }

    /// <summary>Explosion alert on a norm above mean + m·σ of the rolling window.</summary>
    [Id(19)] public double AlertSigma { get; init; }

    /// <summary>Steps in the rolling window.</summary>
    [Id(20)] public int AlertWindow { get; init; }

    /// <summary>Steps before the spike rules may fire.</summary>
    [Id(21)] public int AlertWarmUp { get; init; }

    /// <summary>Most steps between checkpoints.</summary>
    public const int MaxCheckpointEvery = 1_000_000;

    /// <summary>
    /// The parameter server checkpoints θ, optimizer state and the next step to grain storage every N steps,
    /// 0..<see cref="MaxCheckpointEvery"/>; 0 = only at the start and at the end. A run whose parameter server
    /// dies loses at most N steps, which it re-runs.
    /// </summary>
    [Id(22)] public int CheckpointEvery { get; init; }

    /// <summary>Seconds one worker may take for its part of a step before it is asked again, 1..3600.</summary>
    [Id(23)] public int WorkerTimeoutSeconds { get; init; }

    /// <summary>global (tf.clip_by_global_norm at <see cref="Clip"/>; the presets'), per-tensor, zclip, autoclip, agc or none.</summary>
    [Id(50)] public string ClipPolicy { get; init; } = "";

    /// <summary>ZClip's warm-up steps; null = its default (25). Only with clip policy zclip.</summary>
    [Id(51)] public int? ZClipWarmup { get; init; }

    /// <summary>ZClip's EMA factor α; null = 0.97. Only with zclip.</summary>
    [Id(52)] public double? ZClipAlpha { get; init; }

    /// <summary>ZClip's z-score threshold; null = 2.5. Only with zclip.</summary>
    [Id(53)] public double? ZClipZ { get; init; }

    /// <summary>AutoClip's percentile p in [0, 100]; null = 10. Only with autoclip.</summary>
    [Id(54)] public double? AutoClipPercentile { get; init; }

    /// <summary>AutoClip's history length; null = all steps. Only with autoclip.</summary>
    [Id(55)] public int? AutoClipHistory { get; init; }

    /// <summary>AGC's λ; null = 0.01. Only with agc.</summary>
    [Id(56)] public double? AgcLambda { get; init; }

    /// <summary>AGC clips the output layer too; null = false. Only with agc.</summary>
    [Id(57)] public bool? AgcIncludeLast { get; init; }

    // Scale-out (Ids 100-109).

    /// <summary>
    /// Parameter-server shards: θ and the optimizer state split over this many grains (1 = one parameter server
    /// holds all; the cut points are tensor boundaries, layer boundaries with agc). A config stored before this field
    /// existed reads 0, which runs as 1.
    /// </summary>
    [Id(100)] public int PsShards { get; init; }

    /// <summary>
    /// Where the workers' gradients are summed: "none" (or empty, a config stored before the option existed: all at the
    /// parameter server) or "per-silo" (first by an aggregator on each silo; the parameter server gets one sum per silo).
    /// </summary>
    [Id(130)] public string Aggregate { get; init; } = "";

    // Bounded-staleness asynchronous training (Ids 140-149).

    /// <summary>sync or ssp (--sync); "" (a config stored before it existed) is sync.</summary>
    [Id(140)] public string Sync { get; init; } = "";

    /// <summary>ssp's staleness bound s in clocks (--staleness); null: not given (ssp's default, Core's SyncModes.DefaultStaleness).</summary>
    [Id(141)] public int? Staleness { get; init; }

    // The gradient's wire format (Ids 150-159).

    /// <summary>
    /// How workers send their gradients: fp32 (float32, bit-identical trajectory) or bf16 (bfloat16 with error feedback,
    /// half the bytes, a different trajectory). Null or empty (a config stored before this field existed) is fp32.
    /// </summary>
    [Id(150)] public string? Wire { get; init; }

    // Overlapping communication with compute (Ids 160-169).

    /// <summary>
    /// Whether θ and gradients travel in parts overlapped with the workers' compute (--overlap): off, auto (workers on
    /// other silos than the parameter server's) or on. Bit-identical trajectory in every mode. Null or empty (a config
    /// stored before this field existed) is off.
    /// </summary>
    [Id(160)] public string? Overlap { get; init; }

    // Explosion response (Ids 80-99).

    /// <summary>Explosion alert on a norm above G × the previous step's, from step 1.</summary>
    [Id(80)] public double AlertGrowth { get; init; }

    /// <summary>The response ladder on a spike of the loss or global norm: none, skip, rewind or abort.</summary>
    [Id(81)] public string OnSpike { get; init; } = "";

    /// <summary>Accepted steps in the ladder's rolling mean and sd.</summary>
    [Id(82)] public int SpikeWindow { get; init; }

    /// <summary>Standard deviations that make a spike.</summary>
    [Id(83)] public double SpikeSigma { get; init; }

    /// <summary>Steps held before the ladder judges; null = max(20, window / 2).</summary>
    [Id(84)] public int? SpikeMinHistory { get; init; }

    /// <summary>one (only rises) or two (also falls).</summary>
    [Id(85)] public string SpikeSided { get; init; } = "";

    /// <summary>Rewind after this many spikes within <see cref="RewindWindow"/> steps.</summary>
    [Id(86)] public int RewindAfter { get; init; }

    [Id(87)] public int RewindWindow { get; init; }

    /// <summary>Snapshot period: a rewind goes back between this and twice this many steps.</summary>
    [Id(88)] public int RewindSteps { get; init; }

    /// <summary>Batches skipped after the spike's, besides the re-run ones.</summary>
    [Id(89)] public int RewindSkipBatches { get; init; }

    /// <summary>Faults made on purpose (tests, demos): comma-separated rules; "" = none.</summary>
    [Id(90)] public string Inject { get; init; } = "";

    /// <summary>Fault verdicts on one silo after which the run's workers are moved off it; 0 = never.</summary>
    [Id(91)] public int FaultLimit { get; init; }

    // Optimizer and learning-rate schedule (ids 30–49). A null hyper-parameter takes the optimizer's or schedule's
    // default (PyTorch's); one given for another optimizer or schedule is refused by validation.

    /// <summary>sgd, adam or adamw (torch.optim semantics); null or empty (a config stored before optimizers existed) is sgd.</summary>
    [Id(30)] public string? Optimizer { get; init; }

    /// <summary>SGD: dampening in [0, 1]. Default 0.</summary>
    [Id(31)] public float? Dampening { get; init; }

    /// <summary>SGD: Nesterov momentum (needs momentum &gt; 0, dampening 0).</summary>
    [Id(32)] public bool Nesterov { get; init; }

    /// <summary>Adam/AdamW: β1 in [0, 1). Default 0.9.</summary>
    [Id(33)] public float? Beta1 { get; init; }

    /// <summary>Adam/AdamW: β2 in [0, 1). Default 0.999.</summary>
    [Id(34)] public float? Beta2 { get; init; }

    /// <summary>Adam/AdamW: ε (&gt; 0) added after the square root. Default 1e-8.</summary>
    [Id(35)] public float? Eps { get; init; }

    /// <summary>Weight decay ≥ 0 (L2 for sgd/adam, decoupled for adamw). Default 0, adamw 0.01.</summary>
    [Id(36)] public float? WeightDecay { get; init; }

    /// <summary>constant, cosine, onecycle or step; null or empty is constant.</summary>
    [Id(37)] public string? LrSchedule { get; init; }

    /// <summary>constant, cosine, step: linear warm-up steps ≥ 0. Default 0.</summary>
    [Id(38)] public int WarmupSteps { get; init; }

    /// <summary>cosine: the rate it anneals to, in [0, lr]. Default 0.</summary>
    [Id(39)] public double? MinLr { get; init; }

    /// <summary>step: steps between decays ≥ 1. Default 1000.</summary>
    [Id(40)] public int? StepSize { get; init; }

    /// <summary>step: decay factor &gt; 0. Default 0.1.</summary>
    [Id(41)] public double? Gamma { get; init; }

    /// <summary>onecycle: fraction of the steps rising, in (0, 1). Default 0.3.</summary>
    [Id(42)] public double? PctStart { get; init; }

    /// <summary>onecycle: initial rate = lr / div-factor. Default 25.</summary>
    [Id(43)] public double? DivFactor { get; init; }

    /// <summary>onecycle: final rate = initial / final-div-factor. Default 1e4.</summary>
    [Id(44)] public double? FinalDivFactor { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"data={Dataset} layers={string.Join(',', Layers ?? [])} loss={Loss} x/{InputScale} optimizer={Optimizer} lr={LearningRate}{(Momentum != 0 ? $" momentum={Momentum}" : "")} schedule={LrSchedule} batch={Batch} workers={Workers}{(PsShards > 1 ? $" ps-shards={PsShards}" : "")}{(Aggregate is "" or "none" ? "" : $" aggregate={Aggregate}")}{(Sync == "ssp" ? $" sync=ssp{(Staleness is int st ? $" staleness={st}" : "")}" : "")} {(Steps is long s ? $"steps={s}" : $"epochs={Epochs}")} clip={(Clip?.ToString(CultureInfo.InvariantCulture) ?? "none")}{(ClipPolicy is "global" or "" ? "" : $" clip-policy={ClipPolicy}")} nonfinite={NonFinite} seed={Seed} shuffle={Shuffle} init={Init} shard={ShardMode} on-spike={OnSpike}{(OnSpike is "none" or "" ? "" : $" fault-limit={FaultLimit}")}{(string.IsNullOrEmpty(Inject) ? "" : $" inject={Inject}")}{(Wire is "bf16" ? " wire=bf16" : "")}{(Overlap is "auto" or "on" ? $" overlap={Overlap}" : "")}");
}
