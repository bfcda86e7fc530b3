using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Commands;

/// <summary>
/// The options that define a run, shared by `train` and `submit`. Unset options take the preset's value
/// (default preset: MNIST, 784-512-256-10, ce, x/255, lr 0.1, batch 128, 2 workers, clip 15, 3 epochs).
/// </summary>
public class RunSettings : CommandSettings
{
    [CommandOption("--preset <NAME>")]
    [Description("Recipe to start from: default, tutorial (x/50, MSE, lr 0.01, clip 15) or tutorial-unclipped.")]
    public string Preset { get; init; } = "default";

    [CommandOption("--data <NAME|DIR>")]
    [Description("Dataset: mnist (fetched on first use), fashion-mnist, or a directory with the four IDX files. Default mnist.")]
    public string? Data { get; init; }

    [CommandOption("--layers <SIZES>")]
    [Description("Layer sizes from input to output, e.g. 784,512,256,10.")]
    public string? Layers { get; init; }

    [CommandOption("--loss <KIND>")]
    [Description("ce (softmax cross-entropy) or mse (mean squared error on one-hot labels).")]
    public string? Loss { get; init; }

    [CommandOption("--input-scale <X>")]
    [Description("Pixels are divided by X (> 0). Default 255; the tutorial uses 50.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? InputScale { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("SGD learning rate (> 0). Default 0.1.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? LearningRate { get; init; }

    [CommandOption("--momentum <M>")]
    [Description("Heavy-ball momentum in [[0, 1). Default 0.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? Momentum { get; init; }

    [CommandOption("--batch <N>")]
    [Description("Global batch per step, split over the workers (≥ workers). Default 128.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? Batch { get; init; }

    [CommandOption("--workers <N>")]
    [Description($"Worker grains, 1..256. Default 2.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? Workers { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Epochs to train (> 0). Default 3. Ignored when --steps is given.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? Epochs { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Exact number of steps to train (> 0); overrides --epochs.")]
    [TypeConverter(typeof(LongOptionConverter))]
    public long? Steps { get; init; }

    [CommandOption("--clip <NORM|none>")]
    [Description("clip_by_global_norm's clip norm (> 0), or none. Default 15.")]
    public string? Clip { get; init; }

    [CommandOption("--clip-policy <POLICY>")]
    [Description("How the aggregated gradient is clipped: global (clip_by_global_norm at --clip; default), per-tensor (clip_by_norm of each tensor at --clip), zclip (z-score of the norm against its EMAs; --clip is an optional hard cap), autoclip (percentile of the norms so far), agc (per unit, against the weights' norm) or none. autoclip, agc and none take no --clip.")]
    public string? ClipPolicy { get; init; }

    [CommandOption("--zclip-warmup <N>")]
    [Description("zclip: steps whose norms set the initial mean and variance, 1..10000000. Default 25.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? ZClipWarmup { get; init; }

    [CommandOption("--zclip-alpha <A>")]
    [Description("zclip: EMA factor of the norm's mean and variance, in (0, 1). Default 0.97.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? ZClipAlpha { get; init; }

    [CommandOption("--zclip-z <Z>")]
    [Description("zclip: z-score above which a norm is clipped (> 0). Default 2.5.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? ZClipZ { get; init; }

    [CommandOption("--autoclip-percentile <P>")]
    [Description("autoclip: clip at the P-th percentile of the global norms so far, current one included, P in [[0, 100]]. Default 10.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AutoClipPercentile { get; init; }

    [CommandOption("--autoclip-history <N>")]
    [Description("autoclip: keep the newest N norms, 1..10000000. Default: all.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? AutoClipHistory { get; init; }

    [CommandOption("--agc-lambda <L>")]
    [Description("agc: each unit's gradient norm is capped at L × max(its weights' norm, 1e-3) (> 0). Default 0.01.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AgcLambda { get; init; }

    [CommandOption("--agc-include-last")]
    [Description("agc: clip the output layer too (left out by default, as the paper advises).")]
    public bool AgcIncludeLast { get; init; }

    [CommandOption("--nonfinite <POLICY>")]
    [Description("A step whose gradient is NaN/Inf: skip (keep θ, count it; default) or abort (fail the run).")]
    public string? NonFinite { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the initialiser and the data order. Default 1234.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? Seed { get; init; }

    [CommandOption("--no-shuffle")]
    [Description("Train in file order instead of a seeded shuffle per epoch.")]
    public bool NoShuffle { get; init; }

    [CommandOption("--init <KIND>")]
    [Description("Weight initialiser: truncnormal (σ 0.1, the tutorial's; default), he or glorot.")]
    public string? Init { get; init; }

    [CommandOption("--init-from <FILE>")]
    [Description("Start from the weights in a .safetensors file (as written by --save); shapes must match --layers.")]
    public string? InitFrom { get; init; }

    [CommandOption("--save <FILE>")]
    [Description("Write the final weights to this .safetensors file.")]
    public string? Save { get; init; }

    [CommandOption("--eval-every <N>")]
    [Description("Also evaluate on the test set every N steps (0: at each epoch end only; default).")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? EvalEvery { get; init; }

    [CommandOption("--shard-mode <MODE>")]
    [Description("batch (the global batch split over workers; default) or fixed (a data-local shard per worker).")]
    public string? ShardMode { get; init; }

    [CommandOption("--metrics-out <FILE>")]
    [Description("Write one CSV row per step (norms, loss, clip scale, accuracy). Default for train: runs/<run-id>/metrics.csv.")]
    public string? MetricsOut { get; init; }

    [CommandOption("--summary-json <FILE>")]
    [Description("Write the run's summary as JSON. Default for train: runs/<run-id>/summary.json.")]
    public string? SummaryJson { get; init; }

    [CommandOption("--telemetry <EXPORTER>")]
    [Description("Send this process's traces and metrics to: console (OpenTelemetry ConsoleExporter), otlp (OTEL_EXPORTER_OTLP_ENDPOINT), or none (default).")]
    public string? Telemetry { get; init; }

    [CommandOption("--alert-threshold <NORM>")]
    [Description("Explosion alert when the pre-clip global norm exceeds NORM (> 0). Default: off.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AlertThreshold { get; init; }

    [CommandOption("--alert-spike <K>")]
    [Description("Explosion alert when the norm exceeds K × the rolling median (> 1). Default 10.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AlertSpike { get; init; }

    [CommandOption("--alert-sigma <M>")]
    [Description("Explosion alert when the robust z-score of ln(norm) against the window (median/MAD) exceeds M (> 0). Default 6.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AlertSigma { get; init; }

    [CommandOption("--alert-window <N>")]
    [Description("Steps in the rolling window of the spike rules (2..10000). Default 50.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? AlertWindow { get; init; }

    [CommandOption("--alert-warmup <N>")]
    [Description("Steps before the window rules (k × median, robust z) may fire (1..window). Default 3.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? AlertWarmUp { get; init; }

    [CommandOption("--alert-growth <G>")]
    [Description("Explosion alert when the norm exceeds G × the previous step's, from step 1 (> 1). Default 5.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AlertGrowth { get; init; }

    [CommandOption("--on-spike <ACTION>")]
    [Description("When the loss or global norm spikes, before the update: none (report only; default), skip (do not apply it), rewind (skip; after --rewind-after spikes or one non-finite step, go back to a snapshot) or abort (fail the run).")]
    public string? OnSpike { get; init; }

    [CommandOption("--spike-window <N>")]
    [Description("Accepted steps in the spike rule's rolling mean and sd (2..100000). Default 128.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? SpikeWindow { get; init; }

    [CommandOption("--spike-sigma <S>")]
    [Description("A spike lies more than S sd from the rolling mean (> 0). Default 6.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? SpikeSigma { get; init; }

    [CommandOption("--spike-min-history <N>")]
    [Description("Steps held before the spike rule judges (2..window). Default max(20, window / 2).")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? SpikeMinHistory { get; init; }

    [CommandOption("--spike-sided <one|two>")]
    [Description("one: only rises are spikes (default); two: falls too.")]
    public string? SpikeSided { get; init; }

    [CommandOption("--rewind-after <N>")]
    [Description("--on-spike rewind: rewind after N spikes within --rewind-window steps (1..1000). Default 2.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindAfter { get; init; }

    [CommandOption("--rewind-window <STEPS>")]
    [Description("Steps over which --rewind-after counts spikes (1..1000000). Default 50.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindWindow { get; init; }

    [CommandOption("--rewind-steps <N>")]
    [Description("Snapshot period: a rewind goes back N to 2N steps (1..1000000; two snapshots are kept in memory). Default 100.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindSteps { get; init; }

    [CommandOption("--rewind-skip-batches <N>")]
    [Description("Batches skipped after the spike's own, besides the re-run ones (0..1000000). Default 100.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindSkipBatches { get; init; }

    [CommandOption("--inject <RULES>")]
    [Description("Faults on purpose, for tests and demos (default none), comma-separated: batch:B:scale=X (batch B's inputs × X), worker:W:from=B:noise=X (worker W adds noise in [[-X, X) from batch B), worker:W:nan@B.")]
    public string? Inject { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Checkpoint θ and the optimizer to grain storage every N steps (0..1000000; 0 = only at the start and the end). A run whose parameter server dies re-runs at most N steps. Default 50 for submit, 0 for train (its checkpoints live in its own memory).")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? CheckpointEvery { get; init; }

    [CommandOption("--worker-timeout <SECONDS>")]
    [Description("Seconds one worker may take for its part of a step before it is asked again (1..3600). Default 30.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? WorkerTimeout { get; init; }

    [CommandOption("--run-id <ID>")]
    [Description("Name the run (letters, digits, '-', '_', '.'; up to 64). Default: generated.")]
    public string? RunId { get; init; }

    /// <summary>
    /// --checkpoint-every when not given, where a command differs from the preset's: `train` says 0, since its embedded
    /// silo keeps checkpoints in its own memory, where they cannot outlive it and only cost time.
    /// </summary>
    protected virtual int? CommandCheckpointEvery => null;

    /// <summary>The run as configured: the preset's recipe, overridden by every option given. Not validated (see <see cref="Validate"/>).</summary>
    public RunConfig ToRunConfig()
    {
        var p = RunConfigs.FromPreset(Preset);
        string policy = ClipPolicy ?? p.ClipPolicy;
        bool takesClip = policy.ToLowerInvariant() is "global" or "per-tensor" or "zclip"; // the others drop the preset's clip norm
        return p with
        {
            Dataset = Data ?? p.Dataset,
            Layers = Layers is null ? p.Layers : [.. MlpConfig.Parse(Layers).Layers],
            Loss = Loss ?? p.Loss,
            InputScale = InputScale ?? p.InputScale,
            LearningRate = LearningRate ?? p.LearningRate,
            Momentum = Momentum ?? p.Momentum,
            Batch = Batch ?? p.Batch,
            Workers = Workers ?? p.Workers,
            Epochs = Epochs ?? p.Epochs,
            Steps = Steps ?? p.Steps,
            Clip = Clip is null ? (takesClip ? p.Clip : null) : ClipNorm(Clip),
            NonFinite = NonFinite ?? p.NonFinite,
            Seed = Seed ?? p.Seed,
            Shuffle = !NoShuffle && p.Shuffle,
            Init = Init ?? p.Init,
            EvalEvery = EvalEvery ?? p.EvalEvery,
            ShardMode = ShardMode ?? p.ShardMode,
            AlertThreshold = AlertThreshold ?? p.AlertThreshold,
            AlertSpikeFactor = AlertSpike ?? p.AlertSpikeFactor,
            AlertSigma = AlertSigma ?? p.AlertSigma,
            AlertWindow = AlertWindow ?? p.AlertWindow,
            AlertWarmUp = AlertWarmUp ?? p.AlertWarmUp,
            CheckpointEvery = CheckpointEvery ?? CommandCheckpointEvery ?? p.CheckpointEvery,
            WorkerTimeoutSeconds = WorkerTimeout ?? p.WorkerTimeoutSeconds,
            ClipPolicy = policy,
            ZClipWarmup = ZClipWarmup ?? p.ZClipWarmup,
            ZClipAlpha = ZClipAlpha ?? p.ZClipAlpha,
            ZClipZ = ZClipZ ?? p.ZClipZ,
            AutoClipPercentile = AutoClipPercentile ?? p.AutoClipPercentile,
            AutoClipHistory = AutoClipHistory ?? p.AutoClipHistory,
            AgcLambda = AgcLambda ?? p.AgcLambda,
            AgcIncludeLast = AgcIncludeLast ? true : p.AgcIncludeLast,
            AlertGrowth = AlertGrowth ?? p.AlertGrowth,
            OnSpike = OnSpike ?? p.OnSpike,
            SpikeWindow = SpikeWindow ?? p.SpikeWindow,
            SpikeSigma = SpikeSigma ?? p.SpikeSigma,
            SpikeMinHistory = SpikeMinHistory ?? p.SpikeMinHistory,
            SpikeSided = SpikeSided ?? p.SpikeSided,
            RewindAfter = RewindAfter ?? p.RewindAfter,
            RewindWindow = RewindWindow ?? p.RewindWindow,
            RewindSteps = RewindSteps ?? p.RewindSteps,
            RewindSkipBatches = RewindSkipBatches ?? p.RewindSkipBatches,
            Inject = Inject ?? p.Inject,
        };
    }

    /// <summary>
    /// Checks every option before any work starts, by the same rules the cluster applies when the run arrives
    /// (RunConfigTraining.Validate): one message naming the first bad value and its accepted range.
    /// </summary>
    public override ValidationResult Validate()
    {
        try
        {
            ToRunConfig().Validate();
            _ = TelemetrySetup.Parse(Telemetry);
            _ = NewRunId();
            return ValidationResult.Success();
        }
        catch (ThresherInputException e)
        {
            return ValidationResult.Error(e.Message);
        }
    }

    public string NewRunId()
    {
        if (RunId is null)
            return $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";
        if (RunId.Length is 0 or > 64 || !RunId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ThresherInputException($"run-id '{RunId}': use 1..64 letters, digits, '-', '_' or '.'");
        return RunId;
    }

    /// <summary>--clip: a norm, or none (no clipping).</summary>
    static float? ClipNorm(string text)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase)) return null;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            throw new ThresherInputException($"clip '{text}': not a number; give a norm > 0 or 'none'");
        return value;
    }
}
