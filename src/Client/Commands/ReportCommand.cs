using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Reports;

namespace Thresher.Client.Commands;

/// <summary>
/// `thresher report RUN|METRICS.csv`: plots of a run's gradient norms (pre/post clip, per tensor, log scale,
/// explosion markers), loss and test accuracy, as PNG and SVG, plus its metrics CSV. A run id is read from
/// the cluster at --gateway; a path ending in .csv is read from disk, with the alerts of an alerts.csv beside it.
/// </summary>
public sealed class ReportCommand(IAnsiConsole console) : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : GatewaySettings
    {
        [CommandArgument(0, "<RUN|METRICS.csv>")]
        [Description("A run id on the cluster at --gateway, or a metrics file written by train/submit (a path ending in .csv).")]
        public string Source { get; init; } = "";

        [CommandOption("--out <DIR>")]
        [Description("Folder for the plots and CSV files. Default: report/ beside the metrics file, or runs/<run-id>/report.")]
        public string? Out { get; init; }

        public bool IsCsv => Source.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

        public override ValidationResult Validate()
            => string.IsNullOrWhiteSpace(Source)
                ? ValidationResult.Error("RUN|METRICS.csv: empty; name a run id or a metrics .csv file")
                : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        RunHistory run;
        if (settings.IsCsv)
        {
            run = RunHistory.ReadCsv(settings.Source);
        }
        else
        {
            await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
            run = await RunHistory.FetchAsync(cluster.Client, settings.Source).ConfigureAwait(false);
        }
        string dir = settings.Out ?? (run.SourceCsv is { } csv
            ? Path.Combine(Path.GetDirectoryName(csv) ?? ".", "report")
            : Path.Combine("runs", run.Name, "report"));
        if (ReportPlots.MissingFontHint is { } hint) console.MarkupLineInterpolated($"[yellow]warning:[/] {hint}");
        var files = RunReport.Write(run, dir);
        Describe(console, run);
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(dir)}");
        foreach (var file in files) console.MarkupLineInterpolated($"  {Path.GetFileName(file)}");
        return ExitCodes.Success;
    }

    /// <summary>One line: steps, clipped, non-finite and alerts — what the plots will show.</summary>
    public static void Describe(IAnsiConsole console, RunHistory run)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(run);
        int nonFinite = run.NonFiniteSteps.Count();
        string alerts = run.Alerts.Count == 0 ? "none" : string.Join(", ", run.Alerts.GroupBy(a => a.Reason).Select(g => $"{g.Key} ×{g.Count()}"));
        string style = nonFinite > 0 ? "red" : "default";
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"{Markup.Escape(run.Name)}: {run.Steps.Count} steps, {run.Steps.Count(s => s.Clipped)} clipped, [{style}]{nonFinite} non-finite/skipped[/], alerts: {Markup.Escape(alerts)}"));
    }
}
