using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Cluster;
using Thresher.Grains;

namespace Thresher.Client.Commands;

/// <summary>`thresher train`: the main job — an embedded one-silo cluster in this process, one run, followed live.</summary>
public sealed class TrainCommand(IAnsiConsole console) : AsyncCommand<TrainCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--data-dir <DIR>")]
        [Description("Dataset cache folder (default: $THRESHER_DATA_DIR, else ~/.cache/thresher).")]
        public string? DataDir { get; init; }

        [CommandOption("--worker-threads <N>")]
        [Description("Kernel threads per worker; 0 divides this machine's cores among the workers (default).")]
        [DefaultValue(0)]
        public int WorkerThreads { get; init; }

        public override ValidationResult Validate()
            => WorkerThreads is < 0 or > 1024
                ? ValidationResult.Error($"worker-threads {WorkerThreads}: must be in 0..1024")
                : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (config, initial) = RunSession.Prepare(settings);
        string runId = settings.NewRunId();
        string metrics = settings.MetricsOut ?? Path.Combine("runs", runId, "metrics.csv");
        string summary = settings.SummaryJson ?? Path.Combine("runs", runId, "summary.json");

        // Load (and on first use fetch) the dataset here, with progress, before the silo needs it.
        DatasetLoading.Load(console, config.Dataset, settings.DataDir, config.Layers[0], config.Layers[^1]);
        var silo = new SiloTrainingOptions { DataDirectory = settings.DataDir, WorkerThreads = settings.WorkerThreads };
        await using var cluster = await EmbeddedCluster.StartAsync(silo, TelemetrySetup.Parse(settings.Telemetry), cancellation).ConfigureAwait(false);
        var session = new RunSession(console, cluster.Client);
        var run = await session.StartAsync(runId, config, initial).ConfigureAwait(false);
        return await session.FollowAsync(run, config, settings, metrics, summary, cancelRunOnInterrupt: true, cancellation).ConfigureAwait(false);
    }
}
