using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Cluster;
using Thresher.Client.Reports;
using Thresher.Core.Data;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Commands;

/// <summary>
/// `thresher demo clipping`: the tutorial's exploding recipe (tutorial-unclipped: x/50, MSE, SGD lr 0.01, batch 128,
/// 784-512-256-10) trained once per clip policy from the same seed on one embedded cluster, one run after the other,
/// each with its policy's defaults (global and per-tensor at the tutorial's c = 15; zclip without a hard cap).
/// Prints a side-by-side table (accuracy, clipped and skipped steps, largest pre-/post-clip norm, first non-finite
/// step, verdict), writes each run's metrics.csv and one comparison plot.
/// </summary>
public sealed class DemoClippingCommand(IAnsiConsole console) : AsyncCommand<DemoClippingCommand.Settings>
{
    public sealed class Settings : DemoSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for the plot and each policy's metrics.csv and summary.json. Default: runs/demo-clipping-<time>.")]
        public string? Out { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Steps per policy, 1..100000. Default 200.")]
        [DefaultValue(200)]
        public int Steps { get; init; } = 200;

        [CommandOption("--policies <LIST>")]
        [Description("Comma-separated clip policies to compare, in order. Default: none,global,per-tensor,zclip,autoclip,agc.")]
        [DefaultValue("none,global,per-tensor,zclip,autoclip,agc")]
        public string Policies { get; init; } = "none,global,per-tensor,zclip,autoclip,agc";

        [CommandOption("--seed <N>")]
        [Description("Seed of every run (initialiser and data order). Default 1234.")]
        [DefaultValue(1234)]
        public int Seed { get; init; } = 1234;

        public override ValidationResult Validate()
        {
            if (Steps is < 1 or > 100_000) return ValidationResult.Error($"steps {Steps}: must be in 1..100000");
            var names = Policies.Split(',', StringSplitOptions.TrimEntries);
            foreach (var name in names)
                if (!ClipPolicyKinds.Names.Contains(name))
                    return ValidationResult.Error($"policies '{name}': unknown clip policy; expected a comma-separated list of {string.Join(", ", ClipPolicyKinds.Names)}");
            return names.Distinct().Count() == names.Length ? ValidationResult.Success() : ValidationResult.Error($"policies '{Policies}': a policy is named twice");
        }
    }

    /// <summary>Test-set evaluations per run, so accuracy has points to plot.</summary>
    const int Evaluations = 4;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string dir = Path.GetFullPath(settings.Out ?? Path.Combine("runs", $"demo-clipping-{stamp}"));
        var layers = DemoSession.LayersFor(Presets.TutorialUnclipped.Layers.Layers, settings.Data); // 784-512-256-10
        string[] policies = settings.Policies.Split(',', StringSplitOptions.TrimEntries);
        var runs = policies.Select(p => new DemoRun(p, Variant(settings, p, layers, $"demo-clipping-{stamp}-{p}"),
            $"[bold]{p}[/]: the tutorial recipe under --clip-policy {p}, seed {settings.Seed}", MetricsOnly: true)).ToArray();
        foreach (var run in runs)
            run.Settings.ToRunConfig().Validate(); // every variant's bad input before any training

        var (code, histories) = await new DemoSession(console).RunAsync(settings, layers, dir, runs, cancellation).ConfigureAwait(false);
        if (cancellation.IsCancellationRequested) return code; // interrupted: no table of a partial comparison

        var outcomes = histories.Select((h, i) => ClippingOutcome.From(policies[i], h)).ToArray();
        console.Write(ClippingTable.Build(outcomes, settings.Steps));
        var rescued = outcomes.Where(o => o.Rescued).Select(o => o.Policy).ToArray();
        var exploded = outcomes.Where(o => !o.Rescued).Select(o => o.Policy).ToArray();
        console.MarkupLineInterpolated($"rescued: [green]{(rescued.Length > 0 ? string.Join(", ", rescued) : "none")}[/]; exploded: [red]{(exploded.Length > 0 ? string.Join(", ", exploded) : "none")}[/]");
        var plot = ReportPlots.Save(ClippingPlot.Build(histories.Select((h, i) => (policies[i], h)).ToList()), dir, "clipping");
        console.MarkupLineInterpolated($"comparison plot: {plot[0]} (and .svg)");
        console.MarkupLineInterpolated($"per policy: {Path.Combine(dir, "<policy>", "metrics.csv")} (clip_threshold column: the threshold each step used), summary.json");
        return code;
    }

    /// <summary>tutorial-unclipped under one policy; global and per-tensor take the tutorial's c = 15.</summary>
    static RunSettings Variant(Settings settings, string policy, int[] layers, string runId) => new()
    {
        Preset = "tutorial-unclipped",
        Data = settings.Data,
        Layers = string.Join(',', layers),
        Steps = settings.Steps,
        Seed = settings.Seed,
        EvalEvery = Math.Max(1, settings.Steps / Evaluations),
        ClipPolicy = policy,
        Clip = policy is "global" or "per-tensor" ? Presets.Tutorial.Clip!.Value.ToString(CultureInfo.InvariantCulture) : null,
        RunId = runId,
    };
}
