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
/// `thresher demo spikes`: the response ladder in one command. One embedded cluster trains the default recipe three
/// times from one seed with the same injected faults — two bad data batches close together and a NaN from worker 1 —
/// under --on-spike none, skip and rewind, one run after the other; prints a table (final accuracy, spikes, skipped
/// steps, rewinds, verdicts) and writes a plot of the three losses with the spikes and actions marked.
/// </summary>
public sealed class DemoSpikesCommand(IAnsiConsole console) : AsyncCommand<DemoSpikesCommand.Settings>
{
    public sealed class Settings : DemoSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for the plot and each run's report. Default: runs/spikes-<time>.")]
        public string? Out { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Steps per run, 150..100000 (the faults come at batches 100, 110 and 120). Default 300.")]
        [DefaultValue(300)]
        public int Steps { get; init; } = 300;

        [CommandOption("--inject <RULES>")]
        [Description("The faults, as train's --inject. Default batch:100:scale=1000,batch:110:scale=1000,worker:1:nan@120.")]
        [DefaultValue(DefaultInject)]
        public string Inject { get; init; } = DefaultInject;

        [CommandOption("--seed <N>")]
        [Description("Seed of every run (initialiser and data order). Default 1234.")]
        [DefaultValue(1234)]
        public int Seed { get; init; } = 1234;

        public override ValidationResult Validate()
        {
            if (Steps is < 150 or > 100_000) return ValidationResult.Error($"steps {Steps}: must be in 150..100000");
            try
            {
                foreach (var rule in InjectionRule.ParseList(Inject)) rule.ValidateFor(Workers);
            }
            catch (ThresherInputException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return ValidationResult.Success();
        }
    }

    const string DefaultInject = "batch:100:scale=1000,batch:110:scale=1000,worker:1:nan@120";
    const int Workers = 2;
    static readonly string[] Policies = ["none", "skip", "rewind"];

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string dir = Path.GetFullPath(settings.Out ?? Path.Combine("runs", $"spikes-{stamp}"));
        var layers = DemoSession.LayersFor(Presets.Default.Layers.Layers, settings.Data);
        var runs = Policies.Select(p => new DemoRun(p, Variant(settings, p, layers, $"spikes-{stamp}-{p}"),
            $"[bold]--on-spike {p}[/]: the default recipe, seed {settings.Seed}, {Workers} workers, inject {Markup.Escape(settings.Inject)}",
            Title: $"--on-spike {p}")).ToArray();
        var (code, histories) = await new DemoSession(console).RunAsync(settings, layers, dir, runs, cancellation).ConfigureAwait(false);
        if (cancellation.IsCancellationRequested) return code;

        histories = histories.Select((h, i) => h with { Name = Policies[i] }).ToList();
        console.Write(SpikeDemoTable.Build(histories));
        var plot = ReportPlots.Save(SpikePlot.Losses(histories), dir, "spikes");
        console.MarkupLineInterpolated($"plot: {plot[0]} (and .svg)");
        console.MarkupLineInterpolated($"reports: {Path.Combine(dir, "none")}, {Path.Combine(dir, "skip")}, {Path.Combine(dir, "rewind")} (metrics.csv with batch_id, spike, action, culprit_worker, verdict)");
        return code;
    }

    /// <summary>One run of the demo: rewind after 2 spikes within 50 steps, snapshots every 50 steps, 20 more batches skipped.</summary>
    static RunSettings Variant(Settings settings, string policy, int[] layers, string runId) => new()
    {
        Data = settings.Data,
        Layers = string.Join(',', layers),
        Steps = settings.Steps,
        Seed = settings.Seed,
        Workers = Workers,
        EvalEvery = Math.Max(1, settings.Steps / 4),
        OnSpike = policy,
        RewindSteps = 50,
        RewindSkipBatches = 20,
        Inject = settings.Inject,
        RunId = runId,
    };
}
