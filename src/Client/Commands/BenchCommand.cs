using System.ComponentModel;
using System.Globalization;
using System.Runtime.Intrinsics;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Bench;

namespace Thresher.Client.Commands;

/// <summary>
/// `thresher bench`: training-step throughput (Core single process, embedded cluster), GEMM GFLOP/s for the
/// layer shapes and clip_by_global_norm µs — one line per measurement, each the median of several timed
/// repetitions after a warm-up. bench/compare.sh runs it beside the TorchSharp peer.
/// </summary>
public sealed class BenchCommand(IAnsiConsole console) : AsyncCommand<BenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--threads <T>")]
        [Description("Measure the core step and the GEMMs at T kernel threads only (1..1024; default: 1 and 2).")]
        [TypeConverter(typeof(IntOptionConverter))]
        public int? Threads { get; init; }

        [CommandOption("--batch <B>")]
        [Description("Measure at batch B only, the cluster's global batch included (1..65536; default: 128 and 512; cluster 128 with 1 and 2 workers, 512 with 1, 2 and 4).")]
        [TypeConverter(typeof(IntOptionConverter))]
        public int? Batch { get; init; }

        [CommandOption("--reps <N>")]
        [Description("Timed repetitions per measurement, after the warm-up (1..1000; default 5, 3 with --quick).")]
        [TypeConverter(typeof(IntOptionConverter))]
        public int? Reps { get; init; }

        [CommandOption("--json <FILE>")]
        [Description("Also write {\"results\": [[...]]} to FILE: kind, threads, batch, workers, samples_per_second, value, unit.")]
        public string? Json { get; init; }

        [CommandOption("--quick")]
        [Description("Smoke-test timing: 50 ms repetitions, small data when MNIST is absent (figures are rough).")]
        public bool Quick { get; init; }

        [CommandOption("--only <KINDS>")]
        [Description("Comma-separated subset of core-step, cluster-step, gemm, clip (default: all of these), or scale: W = 1, 2, 4, 8 workers over 1..4 silo processes on loopback, and 2, 4, 8 workers with --aggregate per-silo on 2..4 silos: samples/s and the parameter server's bytes per step (batch 512 unless --batch; --quick: 1..2 × 1..2 and 4 workers pre-aggregated on 2 silos; only when named).")]
        public string? Only { get; init; }

        [CommandOption("--data-dir <DIR>")]
        [Description("Dataset cache folder holding mnist/ (default: $THRESHER_DATA_DIR, else ~/.cache/thresher). Never fetches.")]
        public string? DataDir { get; init; }

        [CommandOption("--synthetic")]
        [Description("Use synthetic MNIST-shaped data even when MNIST is cached.")]
        public bool Synthetic { get; init; }

        public override ValidationResult Validate()
        {
            if (Threads is < 1 or > 1024) return ValidationResult.Error($"--threads {Threads}: must be in 1..1024");
            if (Batch is < 1 or > 65_536) return ValidationResult.Error($"--batch {Batch}: must be in 1..65536");
            if (Reps is < 1 or > 1000) return ValidationResult.Error($"--reps {Reps}: must be in 1..1000");
            if (Json is { Length: 0 }) return ValidationResult.Error("--json: empty file name");
            foreach (string kind in Kinds())
                if (!AllKinds.Contains(kind) && kind != ScaleBenchmarks.Kind)
                    return ValidationResult.Error($"--only '{kind}': unknown; expected {string.Join(", ", AllKinds)} or {ScaleBenchmarks.Kind}");
            return ValidationResult.Success();
        }

        internal static readonly string[] AllKinds = [BenchResult.CoreStep, BenchResult.ClusterStep, BenchResult.Gemm, BenchResult.Clip];

        internal IReadOnlyList<string> Kinds() => Only is null
            ? AllKinds
            : [.. Only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => k.ToLowerInvariant())];
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var plan = BenchPlan.Create(settings.Threads, settings.Batch, settings.Reps, settings.Quick);
        var kinds = settings.Kinds();
        string runtime = Runtime();
        console.WriteLine($"# thresher bench: {runtime}");
        var peak = MachinePeak.Measure();
        console.WriteLine($"# machine: {peak.Line()}");
        var results = new List<BenchResult>();
        IReadOnlyList<BenchRatio> ratios = [];
        void Report(BenchResult r)
        {
            results.Add(r);
            console.WriteLine(r.Line());
        }

        string dataset = "none";
        if (kinds.Contains(BenchResult.CoreStep) || kinds.Contains(BenchResult.ClusterStep))
        {
            var data = BenchData.Load(settings.DataDir, settings.Synthetic, settings.Quick ? 4096 : 60_000);
            dataset = data.Description;
            console.WriteLine($"# data: {dataset}; step recipe: MSE on x/50, SGD lr 0.01, clip 15 (the TorchSharp peer's)");
            if (kinds.Contains(BenchResult.CoreStep))
                foreach (int threads in plan.Threads)
                    foreach (int batch in plan.Batches)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        Report(StepBenchmarks.CoreStep(data.Data, threads, batch, plan));
                    }
            if (kinds.Contains(BenchResult.ClusterStep))
                ratios = await ClusterStepsAsync(data, plan, results, Report, cancellation).ConfigureAwait(false);
        }
        if (kinds.Contains(ScaleBenchmarks.Kind))
        {
            var data = BenchData.Load(settings.DataDir, settings.Synthetic, settings.Quick ? 4096 : 60_000);
            dataset = data.Description;
            console.WriteLine($"# data: {dataset}; scale: silo processes on loopback, run and parameter server on silo 1");
            await ScaleBenchmarks.RunAsync(data, plan, settings.Batch ?? 512, settings.Quick, Report, console.WriteLine, cancellation).ConfigureAwait(false);
        }
        if (kinds.Contains(BenchResult.Gemm))
            foreach (int threads in plan.Threads)
                foreach (int batch in plan.Batches)
                    foreach (var r in KernelBenchmarks.Gemm(threads, batch, plan.ForKernels(), peak))
                    {
                        cancellation.ThrowIfCancellationRequested();
                        Report(r);
                    }
        if (kinds.Contains(BenchResult.Clip))
            foreach (var r in KernelBenchmarks.Clip(plan.ForKernels(), peak)) Report(r);
        foreach (string line in Core.Kernels.Gemm.DescribeTuning()) console.WriteLine($"# gemm variant: {line}");
        var tuning = Core.Kernels.Gemm.DescribeTuning(everyCandidate: true);

        if (settings.Json is { } path)
        {
            BenchResult.WriteJson(path, results, ratios, dataset, runtime, peak, tuning);
            console.WriteLine($"# json: {Path.GetFullPath(path)}");
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// The cluster steps, each beside the core step at its batch and total threads (measured first when this run
    /// has not measured it yet); prints and returns the ratios cluster / core.
    /// </summary>
    async Task<IReadOnlyList<BenchRatio>> ClusterStepsAsync(BenchData data, BenchPlan plan, List<BenchResult> results, Action<BenchResult> report, CancellationToken cancellation)
    {
        BenchResult? CoreTwin(ClusterShape s) => results.FirstOrDefault(r => r.Kind == BenchResult.CoreStep && r.Batch == s.Batch && r.Threads == s.TotalThreads);
        foreach (var shape in plan.Cluster)
        {
            cancellation.ThrowIfCancellationRequested();
            if (CoreTwin(shape) is null) report(StepBenchmarks.CoreStep(data.Data, shape.TotalThreads, shape.Batch, plan));
        }
        var cluster = await ClusterBenchmarks.RunAsync(data, plan, report, console.WriteLine, cancellation).ConfigureAwait(false);
        var ratios = cluster.Zip(plan.Cluster, (result, shape) => new BenchRatio(result, CoreTwin(shape)!)).ToArray();
        foreach (var ratio in ratios) console.WriteLine(ratio.Line());
        return ratios;
    }

    static string Runtime()
    {
        string simd = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar";
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {simd}, .NET {Environment.Version}, load average {load}");
    }
}
