using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Cluster;
using Thresher.Client.Reports;
using Thresher.Core.Data;
using Thresher.Core.Training;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Commands;

/// <summary>
/// `thresher demo explosion`: the tutorial's story in one command. One embedded cluster trains the tutorial
/// recipe (x/50, MSE, SGD lr 0.01, batch 128, 784-512-256-10) twice from the same seed, one run after the
/// other: unclipped, whose gradient norm explodes and goes non-finite within a few steps, and with
/// clip_by_global_norm 15, which trains. Prints a norm table at steps 0, 1, 2, 5, 10, 100; writes a
/// comparison plot and each run's report.
/// </summary>
public sealed class DemoExplosionCommand(IAnsiConsole console) : AsyncCommand<DemoExplosionCommand.Settings>
{
    public sealed class Settings : DemoSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for the comparison plot and both runs' reports. Default: runs/demo-<time>.")]
        public string? Out { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Steps per run, 1..100000. Default 101 (steps 0..100, as the table shows).")]
        [DefaultValue(101)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int Steps { get; init; } = 101;

        [CommandOption("--seed <N>")]
        [Description("Seed of both runs (initialiser and data order). Default: the tutorial preset's (1234).")]
        [TypeConverter(typeof(IntOptionConverter))]
        public int? Seed { get; init; }

        public override ValidationResult Validate()
            => Steps is < 1 or > 100_000
                ? ValidationResult.Error($"steps {Steps}: must be in 1..100000")
                : ValidationResult.Success();
    }

    /// <summary>Test-set evaluations per run, so the reports' accuracy plot has points.</summary>
    const int Evaluations = 4;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string dir = Path.GetFullPath(settings.Out ?? Path.Combine("runs", $"demo-{stamp}"));
        var layers = DemoSession.LayersFor(Presets.Tutorial.Layers.Layers, settings.Data); // 784-512-256-10
        var unclipped = Variant(settings, "tutorial-unclipped", layers, $"demo-{stamp}-unclipped");
        var clipped = Variant(settings, "tutorial", layers, $"demo-{stamp}-clipped");
        double clip = clipped.ToRunConfig().Clip!.Value;
        string seed = unclipped.ToRunConfig().Seed.ToString(CultureInfo.InvariantCulture);
        DemoRun[] runs =
        [
            new("unclipped", unclipped, $"[bold]unclipped[/]: the tutorial recipe, no clipping, seed {seed}"),
            new("clipped", clipped, string.Create(CultureInfo.InvariantCulture, $"[bold]clipped[/]: the tutorial recipe with clip_by_global_norm({clip}), seed {seed}")),
        ];
        var (code, histories) = await new DemoSession(console).RunAsync(settings, layers, dir, runs, cancellation).ConfigureAwait(false);
        if (cancellation.IsCancellationRequested) return code;

        console.Write(DemoTable.Build(histories[0], histories[1], DemoTable.StepsToShow(settings.Steps)));
        Tell(histories[0], histories[1], clip);
        var comparison = ReportPlots.Save(ReportPlots.Comparison(histories[0], histories[1], clip), dir, "comparison");
        console.MarkupLineInterpolated($"comparison plot: {comparison[0]} (and .svg)");
        console.MarkupLineInterpolated($"reports: {Path.Combine(dir, "unclipped")}, {Path.Combine(dir, "clipped")} (global_norm, tensor_norms, loss_accuracy .png/.svg; metrics.csv; alerts.csv)");
        return code;
    }

    static RunSettings Variant(Settings settings, string preset, int[] layers, string runId) => new()
    {
        Preset = preset,
        Data = settings.Data,
        Layers = string.Join(',', layers),
        Steps = settings.Steps,
        Seed = settings.Seed,
        EvalEvery = Math.Max(1, settings.Steps / Evaluations),
        RunId = runId,
    };

    /// <summary>The story in words: where the unclipped norm went, and that clipping held it.</summary>
    void Tell(RunHistory unclipped, RunHistory clipped, double clip)
    {
        var u = unclipped.Steps;
        var peak = u.Where(s => double.IsFinite(s.GlobalNorm)).MaxBy(s => s.GlobalNorm);
        var firstBad = unclipped.NonFiniteSteps.FirstOrDefault();
        string F(double v) => DemoTable.Format(v);
        string peakText = peak is null ? "-" : FormattableString.Invariant($"{F(peak.GlobalNorm)} at step {peak.Step}");
        string badText = firstBad is null
            ? "no non-finite step"
            : FormattableString.Invariant($"[red]non-finite from step {firstBad.Step} ({F(firstBad.GlobalNorm)})[/], {unclipped.NonFiniteSteps.Count()} of {u.Count} steps skipped");
        string alertText = unclipped.Alerts.Count == 0
            ? "alerts: 0"
            : FormattableString.Invariant($"alerts: {unclipped.Alerts.Count} (first at step {unclipped.Alerts[0].Step}: {Markup.Escape(unclipped.Alerts[0].Detail)})");
        console.MarkupLine(FormattableString.Invariant($"[bold]unclipped[/]: global norm {F(u[0].GlobalNorm)} at step 0, largest finite {peakText}; {badText}; {alertText}"));
        var c = clipped.Steps;
        double maxPost = c.Max(s => s.ClippedNorm);
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]clipped[/]: post-clip norm at most {F(maxPost)} (clip {F(clip)}), {c.Count(s => s.Clipped)} of {c.Count} steps clipped, {clipped.NonFiniteSteps.Count()} skipped; loss {F(c[0].Loss)} at step 0 → {F(c[^1].Loss)} at step {c[^1].Step}"));
    }
}
