using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Thresher.Abstractions;

namespace Thresher.Client.Watching;

/// <summary>
/// The live view of a run: progress, loss and pre-/post-clip global norm as sparklines of the latest steps,
/// clipped/skipped/alert counts, and the latest explosion alerts highlighted.
/// </summary>
public sealed class WatchView
{
    const int SparkWidth = 60;
    const int AlertLines = 4;

    readonly Queue<StepRecord> _recent = new();
    readonly List<GradientAlert> _alerts = [];

    public void Add(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _recent.Enqueue(record);
        while (_recent.Count > SparkWidth) _recent.Dequeue();
        _alerts.AddRange(record.Alerts);
    }

    public IRenderable Render(RunStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var recent = _recent.ToArray();
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        double fraction = status.TotalSteps > 0 ? (double)status.Step / status.TotalSteps : 0;
        int filled = (int)Math.Round(fraction * 30);
        grid.AddRow(new Markup("[bold]run[/]"), new Markup(Invariant($"[bold]{Markup.Escape(status.RunId)}[/] {StateMarkup(status.State)}  [green]{new string('█', filled)}[/][grey]{new string('░', 30 - filled)}[/] {fraction:P0}  step {status.Step}/{status.TotalSteps}  epoch {(status.StepsPerEpoch > 0 ? status.Step / status.StepsPerEpoch + 1 : 1)}")));
        grid.AddRow(new Markup("[bold]loss[/]"), Line(recent.Select(r => r.Loss).ToArray(), logScale: true, status.LastLoss, "G4"));
        grid.AddRow(new Markup("[bold]|g| pre-clip[/]"), Line(recent.Select(r => r.GlobalNorm).ToArray(), logScale: true, status.LastGlobalNorm, "G4"));
        string clip = status.Config?.ClipPolicy is { } policy && !policy.Equals("global", StringComparison.OrdinalIgnoreCase)
            ? Invariant($" ({policy}{(recent.Length > 0 && double.IsFinite(recent[^1].ClipThreshold) ? $", t = {recent[^1].ClipThreshold:G4}" : "")})")
            : status.Config?.Clip is float c ? Invariant($" (c = {c})") : " (no clipping)";
        grid.AddRow(new Markup("[bold]|g| post-clip[/]"), Line(recent.Select(r => r.ClippedNorm).ToArray(), logScale: true, recent.Length > 0 ? recent[^1].ClippedNorm : null, "G4", clip));
        grid.AddRow(new Markup("[bold]counts[/]"), new Markup(Invariant($"clipped {status.ClippedSteps}  skipped {(status.SkippedSteps > 0 ? $"[red]{status.SkippedSteps}[/]" : "0")}  alerts {(status.AlertCount > 0 ? $"[red bold]{status.AlertCount}[/]" : "0")}  test accuracy {(status.TestAccuracy is double a ? $"[green]{a:P2}[/]" : "-")}  {status.SamplesPerSecond:F0} samples/s")));
        foreach (var alert in _alerts.TakeLast(AlertLines))
            grid.AddRow(new Markup("[red bold]ALERT[/]"), new Markup(Invariant($"[red]step {alert.Step}: {Markup.Escape(alert.Reason)} — {Markup.Escape(alert.Detail)}[/]")));
        if (status.Stalled is { } stall) grid.AddRow(new Markup("[yellow bold]stalled[/]"), new Text(stall));
        if (status.Error is { } error) grid.AddRow(new Markup("[red bold]error[/]"), new Text(error));
        return new Panel(grid).Header("thresher watch").Border(BoxBorder.Rounded);
    }

    static Markup Line(double[] values, bool logScale, double? last, string format, string suffix = "")
    {
        string spark = Markup.Escape(Sparkline.Render(values, logScale)).Replace("×", "[red]×[/]", StringComparison.Ordinal);
        string latest = last is double v ? (double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : $"[red]{v.ToString(CultureInfo.InvariantCulture)}[/]") : "-";
        return new Markup($"{spark} {latest}{Markup.Escape(suffix)}");
    }

    static string StateMarkup(RunState state) => state switch
    {
        RunState.Completed => "[green]completed[/]",
        RunState.Failed => "[red]failed[/]",
        RunState.Cancelled => "[yellow]cancelled[/]",
        _ => state.ToString().ToLowerInvariant(),
    };

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
