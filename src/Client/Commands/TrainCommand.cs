using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Client.Cluster;
using Thresher.Core.Backends;
using Thresher.Dashboard;
using Thresher.Gpu;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Commands;

/// <summary>`thresher train`: the main job — an embedded one-silo cluster in this process, one run, followed live.</summary>
public sealed class TrainCommand(IAnsiConsole console) : AsyncCommand<TrainCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        /// <summary>The embedded silo's checkpoints live in this process's memory: only at the start and the end.</summary>
        protected override int? CommandCheckpointEvery => 0;

        [CommandOption("--data-dir <DIR>")]
        [Description("Dataset cache folder (default: $THRESHER_DATA_DIR, else ~/.cache/thresher).")]
        public string? DataDir { get; init; }

        [CommandOption("--worker-threads <N>")]
        [Description("Kernel threads per worker; 0 divides this machine's cores among the workers (default).")]
        [DefaultValue(0)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int WorkerThreads { get; init; }

        [CommandOption("--backend <KIND>")]
        [Description("Where workers compute gradients: cpu (SIMD, default), cuda (an NVIDIA GPU; exit code 2 without one) or auto (cuda if usable, else cpu). On a GPU a one-worker run (the default there without --workers) takes every step on the device: the device loop, evaluations every ceil(6000/batch) steps unless --eval-every.")]
        [DefaultValue("cpu")]
        public string Backend { get; init; } = "cpu";

        [CommandOption("--gpu-math <MODE>")]
        [Description("How the GPU multiplies matrices: fp32 (IEEE single precision, default; cuBLAS when found, else ILGPU's GEMM) or tf32 (cuBLAS on tensor cores, ~1e-3 relative error per GEMM; exit code 2 without cuBLAS or with --backend cpu).")]
        [DefaultValue("fp32")]
        public string GpuMath { get; init; } = "fp32";

        [CommandOption("--dashboard-port <N>")]
        [Description("Port of the live web dashboard this command serves (its URL is printed); 0 = a free port (default).")]
        [DefaultValue(0)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int DashboardPort { get; init; }

        [CommandOption("--dashboard-bind <IP>")]
        [Description("Address the dashboard listens on (default 127.0.0.1: this machine only; it has no authentication).")]
        [DefaultValue("127.0.0.1")]
        public string DashboardBind { get; init; } = "127.0.0.1";

        [CommandOption("--no-dashboard")]
        [Description("Serve no web dashboard.")]
        public bool NoDashboard { get; init; }

        /// <summary>Where the dashboard listens; null with --no-dashboard.</summary>
        public DashboardEndpoint? Dashboard => NoDashboard ? null
            : DashboardEndpoint.Parse(DashboardBind, DashboardPort.ToString(System.Globalization.CultureInfo.InvariantCulture), 0);

        public override ValidationResult Validate()
        {
            if (WorkerThreads is < 0 or > 1024) return ValidationResult.Error($"worker-threads {WorkerThreads}: must be in 0..1024");
            try
            {
                GradientBackends.Parse(Backend);
                GpuMaths.Parse(GpuMath);
                _ = Dashboard;
            }
            catch (ThresherInputException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return base.Validate();
        }
    }

    /// <summary>
    /// On a GPU: without --workers, one worker (workers sharing one GPU only take turns on it, and one worker lets the device
    /// loop run) when the device loop can take the run; says whether the parameter server will take every step there (the
    /// rule it applies itself); and for such a run without --eval-every evaluates every
    /// <see cref="ResidentTraining.EvaluationInterval"/> steps on the device, so the time to 97 % / 98 % is measured to a
    /// tenth of an epoch.
    /// </summary>
    RunConfig DeviceLoop(RunConfig config, bool workersUnset, bool evalEveryUnset)
    {
        if (workersUnset && config.Workers != 1 && (config with { Workers = 1 }).ResidentRefusal() is null)
            config = config with { Workers = 1 };
        if (config.ResidentRefusal() is { } why)
        {
            console.MarkupLine(Markup.Escape($"device loop: off ({why}); the workers compute on the GPU, the update runs on the host"));
            return config;
        }
        if (evalEveryUnset && config.EvalEvery == 0) config = config with { EvalEvery = ResidentTraining.EvaluationInterval(config.Batch) };
        console.MarkupLine(Markup.Escape($"device loop: on (every step on the GPU, θ stays there; one host sync per step); test evaluations on the device every {config.EvalEvery} steps and at epoch ends"));
        return config;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (config, initial, initialOptimizer) = RunSession.Prepare(settings);
        string runId = settings.NewRunId();
        string metrics = settings.MetricsOut ?? Path.Combine("runs", runId, "metrics.csv");
        string summary = settings.SummaryJson ?? Path.Combine("runs", runId, "summary.json");
        // Open the GPU before anything slow: cuda without one fails here (exit 2); auto says what it chose.
        var backend = GradientBackends.Select(settings.Backend, settings.GpuMath, line => console.MarkupLine(Markup.Escape(line)));
        if (backend.Resident is not null) config = DeviceLoop(config, settings.Workers is null, settings.EvalEvery is null);

        // Load (and on first use fetch) the dataset here, with progress, before the silo needs it.
        DatasetLoading.Load(console, config.Dataset, settings.DataDir, config.Layers[0], config.Layers[^1]);
        // The test passes use every core: they run inside the parameter server's step, while this process's only run waits
        // (a shared silo's default is 1, beside other runs' workers). Same accuracy at any thread count: rows are split, not sums.
        var silo = new SiloTrainingOptions
        {
            DataDirectory = settings.DataDir, WorkerThreads = settings.WorkerThreads, Backend = settings.Backend, GpuMath = settings.GpuMath,
            EvaluationThreads = Environment.ProcessorCount,
        };
        await using var cluster = await EmbeddedCluster.StartAsync(silo, TelemetrySetup.Parse(settings.Telemetry), settings.Dashboard, cancellation).ConfigureAwait(false);
        if (cluster.DashboardUrl is { } url) console.MarkupLine($"dashboard: [link]{Markup.Escape(url)}runs/{Uri.EscapeDataString(runId)}[/]");
        var session = new RunSession(console, cluster.Client);
        var run = await session.StartAsync(runId, config, initial, initialOptimizer).ConfigureAwait(false);
        return await session.FollowAsync(run, config, settings, metrics, summary, cancelRunOnInterrupt: true, cancellation).ConfigureAwait(false);
    }
}
