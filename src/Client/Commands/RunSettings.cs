using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Training;
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
    public string? InputScale { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("SGD learning rate (> 0). Default 0.1.")]
    public string? LearningRate { get; init; }

    [CommandOption("--momentum <M>")]
    [Description("Heavy-ball momentum in [[0, 1). Default 0.")]
    public string? Momentum { get; init; }

    [CommandOption("--batch <N>")]
    [Description("Global batch per step, split over the workers (≥ workers). Default 128.")]
    public string? Batch { get; init; }

    [CommandOption("--workers <N>")]
    [Description($"Worker grains, 1..256. Default 2.")]
    public string? Workers { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Epochs to train (> 0). Default 3. Ignored when --steps is given.")]
    public string? Epochs { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Exact number of steps to train (> 0); overrides --epochs.")]
    public string? Steps { get; init; }

    [CommandOption("--clip <NORM|none>")]
    [Description("clip_by_global_norm's clip norm (> 0), or none. Default 15.")]
    public string? Clip { get; init; }

    [CommandOption("--nonfinite <POLICY>")]
    [Description("A step whose gradient is NaN/Inf: skip (keep θ, count it; default) or abort (fail the run).")]
    public string? NonFinite { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the initialiser and the data order. Default 1234.")]
    public string? Seed { get; init; }

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
    public string? EvalEvery { get; init; }

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
    public string? AlertThreshold { get; init; }

    [CommandOption("--alert-spike <K>")]
    [Description("Explosion alert when the norm exceeds K × the rolling median (> 1). Default 10.")]
    public string? AlertSpike { get; init; }

    [CommandOption("--alert-sigma <M>")]
    [Description("Explosion alert when the robust z-score of ln(norm) against the window (median/MAD) exceeds M (> 0). Default 6.")]
    public string? AlertSigma { get; init; }

    [CommandOption("--alert-window <N>")]
    [Description("Steps in the rolling window of the spike rules (2..10000). Default 50.")]
    public string? AlertWindow { get; init; }

    [CommandOption("--alert-warmup <N>")]
    [Description("Steps before the window rules (k × median, robust z) may fire (1..window). Default 3.")]
    public string? AlertWarmUp { get; init; }

    [CommandOption("--alert-growth <G>")]
    [Description("Explosion alert when the norm exceeds G × the previous step's, from step 1 (> 1). Default 5.")]
    public string? AlertGrowth { get; init; }

    [CommandOption("--on-spike <ACTION>")]
    [Description("When the loss or global norm spikes, before the update: none (report only; default), skip (do not apply it), rewind (skip; after --rewind-after spikes or one non-finite step, go back to a snapshot) or abort (fail the run).")]
    public string? OnSpike { get; init; }

    [CommandOption("--spike-window <N>")]
    [Description("Accepted steps in the spike rule's rolling mean and sd (2..100000). Default 128.")]
    public string? SpikeWindow { get; init; }

    [CommandOption("--spike-sigma <S>")]
    [Description("A spike lies more than S sd from the rolling mean (> 0). Default 6.")]
    public string? SpikeSigma { get; init; }

    [CommandOption("--spike-min-history <N>")]
    [Description("Steps held before the spike rule judges (2..window). Default max(20, window / 2).")]
    public string? SpikeMinHistory { get; init; }

    [CommandOption("--spike-sided <one|two>")]
    [Description("one: only rises are spikes (default); two: falls too.")]
    public string? SpikeSided { get; init; }

    [CommandOption("--rewind-after <N>")]
    [Description("--on-spike rewind: rewind after N spikes within --rewind-window steps (1..1000). Default 2.")]
    public string? RewindAfter { get; init; }

    [CommandOption("--rewind-window <STEPS>")]
    [Description("Steps over which --rewind-after counts spikes (1..1000000). Default 50.")]
    public string? RewindWindow { get; init; }

    [CommandOption("--rewind-steps <N>")]
    [Description("Snapshot period: a rewind goes back N to 2N steps (1..1000000; two snapshots are kept in memory). Default 100.")]
    public string? RewindSteps { get; init; }

    [CommandOption("--rewind-skip-batches <N>")]
    [Description("Batches skipped after the spike's own, besides the re-run ones (0..1000000). Default 100.")]
    public string? RewindSkipBatches { get; init; }

    [CommandOption("--inject <RULES>")]
    [Description("Faults on purpose, for tests and demos (default none), comma-separated: batch:B:scale=X (batch B's inputs × X), worker:W:from=B:noise=X (worker W adds noise in [[-X, X) from batch B), worker:W:nan@B.")]
    public string? Inject { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Checkpoint θ and the optimizer to grain storage every N steps (0..1000000; 0 = only at the start and the end). A run whose parameter server dies re-runs at most N steps. Default 50 for submit, 0 for train (its checkpoints live in its own memory).")]
    public string? CheckpointEvery { get; init; }

    [CommandOption("--worker-timeout <SECONDS>")]
    [Description("Seconds one worker may take for its part of a step before it is asked again (1..3600). Default 30.")]
    public string? WorkerTimeout { get; init; }

    [CommandOption("--run-id <ID>")]
    [Description("Name the run (letters, digits, '-', '_', '.'; up to 64). Default: generated.")]
    public string? RunId { get; init; }

    /// <summary>
    /// --checkpoint-every when not given: 50 for a cluster (`submit`); `train` overrides it with 0, since its
    /// embedded silo keeps checkpoints in its own memory, where they cannot outlive it and only cost time.
    /// </summary>
    protected virtual int DefaultCheckpointEvery => 50;

    /// <summary>The run as configured: the preset, overridden by every option given. Throws on a bad value.</summary>
    public RunConfig ToRunConfig()
    {
        var p = Presets.Get(Preset);
        var config = new RunConfig
        {
            Dataset = Data ?? "mnist",
            Layers = Layers is null ? [.. p.Layers.Layers] : [.. MlpConfig.Parse(Layers).Layers],
            Loss = Loss ?? p.Loss.Name(),
            InputScale = Float("input-scale", InputScale) ?? p.InputScale,
            LearningRate = Float("lr", LearningRate) ?? p.LearningRate,
            Momentum = Float("momentum", Momentum) ?? p.Momentum,
            Batch = Int("batch", Batch) ?? p.Batch,
            Workers = Int("workers", Workers) ?? 2,
            Epochs = Int("epochs", Epochs) ?? p.Epochs,
            Steps = Long("steps", Steps) ?? p.Steps,
            Clip = Clip is null ? p.Clip : Clip.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Float("clip", Clip),
            NonFinite = NonFinite ?? "skip",
            Seed = Int("seed", Seed) ?? p.Seed,
            Shuffle = !NoShuffle && p.Shuffle,
            Init = Init ?? "truncnormal",
            EvalEvery = Int("eval-every", EvalEvery) ?? p.EvalEvery,
            ShardMode = ShardMode ?? "batch",
            AlertThreshold = Float("alert-threshold", AlertThreshold),
            AlertSpikeFactor = Float("alert-spike", AlertSpike) ?? 10,
            AlertSigma = Float("alert-sigma", AlertSigma) ?? 6,
            AlertWindow = Int("alert-window", AlertWindow) ?? 50,
            AlertWarmUp = Int("alert-warmup", AlertWarmUp) ?? 3,
            AlertGrowth = Float("alert-growth", AlertGrowth) ?? 5,
            OnSpike = OnSpike ?? "none",
            SpikeWindow = Int("spike-window", SpikeWindow) ?? 128,
            SpikeSigma = Float("spike-sigma", SpikeSigma) ?? 6,
            SpikeMinHistory = Int("spike-min-history", SpikeMinHistory),
            SpikeSided = SpikeSided ?? "one",
            RewindAfter = Int("rewind-after", RewindAfter) ?? 2,
            RewindWindow = Int("rewind-window", RewindWindow) ?? 50,
            RewindSteps = Int("rewind-steps", RewindSteps) ?? 100,
            RewindSkipBatches = Int("rewind-skip-batches", RewindSkipBatches) ?? 100,
            Inject = Inject ?? "",
            CheckpointEvery = Int("checkpoint-every", CheckpointEvery) ?? DefaultCheckpointEvery,
            WorkerTimeoutSeconds = Int("worker-timeout", WorkerTimeout) ?? 30,
        };
        _ = TelemetrySetup.Parse(Telemetry);
        config.Validate();
        return config;
    }

    public string NewRunId()
    {
        if (RunId is null)
            return $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";
        if (RunId.Length is 0 or > 64 || !RunId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ThresherInputException($"run-id '{RunId}': use 1..64 letters, digits, '-', '_' or '.'");
        return RunId;
    }

    static float? Float(string name, string? text)
    {
        if (text is null) return null;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            throw new ThresherInputException($"{name} '{text}': not a number");
        return value;
    }

    static int? Int(string name, string? text)
    {
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new ThresherInputException($"{name} '{text}': not a whole number (or too large)");
        return value;
    }

    static long? Long(string name, string? text)
    {
        if (text is null) return null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw new ThresherInputException($"{name} '{text}': not a whole number (or too large)");
        return value;
    }
}
