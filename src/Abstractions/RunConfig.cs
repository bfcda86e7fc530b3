using System.Globalization;

namespace Thresher.Abstractions;

/// <summary>
/// A training run as submitted to the cluster: the training options that fix its trajectory plus how it is
/// spread (workers, shard mode) and which dataset the silos load. Plain strings for the enumerations keep the
/// wire format independent of Core's types; the conversion to Core's options and the validation live with the
/// grains (Thresher.Grains.RunConfigTraining), so this contract assembly does not need Core.
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

    /// <summary>Dataset name (mnist, fashion-mnist) or a directory on the silos. Default mnist.</summary>
    [Id(0)] public string Dataset { get; init; } = "mnist";

    /// <summary>Layer sizes, input to output. Default 784,512,256,10.</summary>
    [Id(1)] public int[] Layers { get; init; } = [784, 512, 256, 10];

    /// <summary>ce or mse. Default ce.</summary>
    [Id(2)] public string Loss { get; init; } = "ce";

    [Id(3)] public float InputScale { get; init; } = 255f;

    [Id(4)] public float LearningRate { get; init; } = 0.1f;

    [Id(5)] public float Momentum { get; init; }

    /// <summary>Global batch, split over the workers.</summary>
    [Id(6)] public int Batch { get; init; } = 128;

    /// <summary>Worker grains, 1..<see cref="MaxWorkers"/>, at most <see cref="Batch"/>. Default 2.</summary>
    [Id(7)] public int Workers { get; init; } = 2;

    [Id(8)] public int Epochs { get; init; } = 3;

    [Id(9)] public long? Steps { get; init; }

    /// <summary>clip_by_global_norm's c, or null for none.</summary>
    [Id(10)] public float? Clip { get; init; } = 15f;

    /// <summary>skip or abort.</summary>
    [Id(11)] public string NonFinite { get; init; } = "skip";

    [Id(12)] public int Seed { get; init; } = 1234;

    [Id(13)] public bool Shuffle { get; init; } = true;

    /// <summary>truncnormal, he or glorot.</summary>
    [Id(14)] public string Init { get; init; } = "truncnormal";

    /// <summary>Evaluate every N steps; 0 = at each epoch end and at the end of the run.</summary>
    [Id(15)] public int EvalEvery { get; init; }

    /// <summary>batch (default: the global batch split over workers) or fixed (a data-local shard per worker).</summary>
    [Id(16)] public string ShardMode { get; init; } = "batch";

    /// <summary>Explosion alert on a pre-clip global norm above this; null (default) = no absolute threshold.</summary>
    [Id(17)] public double? AlertThreshold { get; init; }

    /// <summary>Explosion alert on a norm above k × the rolling median. Default 10.</summary>
    [Id(18)] public double AlertSpikeFactor { get; init; } = 10;

    /// <summary>Explosion alert on a norm above mean + m·σ of the rolling window. Default 6.</summary>
    [Id(19)] public double AlertSigma { get; init; } = 6;

    /// <summary>Steps in the rolling window. Default 50.</summary>
    [Id(20)] public int AlertWindow { get; init; } = 50;

    /// <summary>Steps before the window rules (k × median, robust z) may fire. Default 3.</summary>
    [Id(21)] public int AlertWarmUp { get; init; } = 3;

    /// <summary>Most steps between checkpoints.</summary>
    public const int MaxCheckpointEvery = 1_000_000;

    /// <summary>
    /// The parameter server checkpoints θ, optimizer state and the next step to grain storage every N steps,
    /// 0..<see cref="MaxCheckpointEvery"/>; 0 = only at the start and at the end. A run whose parameter server
    /// dies loses at most N steps, which it re-runs. Default 50.
    /// </summary>
    [Id(22)] public int CheckpointEvery { get; init; } = 50;

    /// <summary>Seconds one worker may take for its part of a step before it is asked again, 1..3600. Default 30.</summary>
    [Id(23)] public int WorkerTimeoutSeconds { get; init; } = 30;

    // Explosion response (Ids 80-99).

    /// <summary>Explosion alert on a norm above G × the previous step's, from step 1. Default 5.</summary>
    [Id(80)] public double AlertGrowth { get; init; } = 5;

    /// <summary>The response ladder on a spike of the loss or global norm: none (default), skip, rewind or abort.</summary>
    [Id(81)] public string OnSpike { get; init; } = "none";

    /// <summary>Accepted steps in the ladder's rolling mean and sd. Default 128.</summary>
    [Id(82)] public int SpikeWindow { get; init; } = 128;

    /// <summary>Standard deviations that make a spike. Default 6.</summary>
    [Id(83)] public double SpikeSigma { get; init; } = 6;

    /// <summary>Steps held before the ladder judges; null = max(20, window / 2).</summary>
    [Id(84)] public int? SpikeMinHistory { get; init; }

    /// <summary>one (only rises; default) or two (also falls).</summary>
    [Id(85)] public string SpikeSided { get; init; } = "one";

    /// <summary>Rewind after this many spikes within <see cref="RewindWindow"/> steps. Default 2.</summary>
    [Id(86)] public int RewindAfter { get; init; } = 2;

    [Id(87)] public int RewindWindow { get; init; } = 50;

    /// <summary>Snapshot period: a rewind goes back between this and twice this many steps. Default 100.</summary>
    [Id(88)] public int RewindSteps { get; init; } = 100;

    /// <summary>Batches skipped after the spike's, besides the re-run ones. Default 100.</summary>
    [Id(89)] public int RewindSkipBatches { get; init; } = 100;

    /// <summary>Faults made on purpose (tests, demos): comma-separated rules; "" (default) = none.</summary>
    [Id(90)] public string Inject { get; init; } = "";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"data={Dataset} layers={string.Join(',', Layers ?? [])} loss={Loss} x/{InputScale} lr={LearningRate} momentum={Momentum} batch={Batch} workers={Workers} {(Steps is long s ? $"steps={s}" : $"epochs={Epochs}")} clip={(Clip?.ToString(CultureInfo.InvariantCulture) ?? "none")} nonfinite={NonFinite} seed={Seed} shuffle={Shuffle} init={Init} shard={ShardMode} on-spike={OnSpike}{(string.IsNullOrEmpty(Inject) ? "" : $" inject={Inject}")}");
}
