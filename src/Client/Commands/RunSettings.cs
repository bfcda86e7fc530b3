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
public partial class RunSettings : CommandSettings
{
    [CommandOption("--preset <NAME>")]
    [Description("Recipe to start from: default, fast (AdamW lr 4e-3, onecycle, batch 512, 4 epochs: ≥ 98 % on MNIST in seconds), tutorial (x/50, MSE, lr 0.01, clip 15) or tutorial-unclipped.")]
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
        var p = WithOptimizerOptions(RunConfigs.FromPreset(Preset));
        string policy = ClipPolicy ?? p.ClipPolicy;
        bool takesClip = policy.ToLowerInvariant() is "global" or "per-tensor" or "zclip"; // the others drop the preset's clip norm
        return p with
        {
            Dataset = Data ?? p.Dataset,
            Layers = Layers is null ? p.Layers : [.. MlpConfig.Parse(Layers).Layers],
            Loss = Loss ?? p.Loss,
            InputScale = InputScale ?? p.InputScale,
            Batch = Batch ?? p.Batch,
            Workers = Workers ?? p.Workers,
            PsShards = PsShards ?? p.PsShards,
            Aggregate = Aggregate ?? p.Aggregate,
            Wire = Wire ?? p.Wire,
            Overlap = Overlap ?? p.Overlap,
            Sync = Sync ?? p.Sync,
            Staleness = Staleness ?? p.Staleness,
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
            FaultLimit = FaultLimit ?? p.FaultLimit,
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
            if (SaveOptimizer && Save is null) throw new ThresherInputException("save-optimizer: needs --save FILE (the optimizer's state is written into that file)");
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
