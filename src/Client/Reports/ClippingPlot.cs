using System.Globalization;
using ScottPlot;
using Thresher.Abstractions;

namespace Thresher.Client.Reports;

/// <summary>
/// `demo clipping`'s picture: for each clip policy its pre-clip (dotted) and post-clip (solid) global norm on a log
/// axis, its non-finite steps as crosses in the top band, and its test accuracy on the right axis, one colour per
/// policy (fixed: tests look for them in the PNG).
/// </summary>
public static class ClippingPlot
{
    public static IReadOnlyDictionary<string, Color> Colors { get; } = new Dictionary<string, Color>
    {
        ["none"] = Color.FromHex("#E377C2"),       // pink, as the explosion demo's unclipped run
        ["global"] = Color.FromHex("#1F77B4"),     // blue
        ["per-tensor"] = Color.FromHex("#2CA02C"), // green
        ["zclip"] = Color.FromHex("#FF7F0E"),      // orange
        ["autoclip"] = Color.FromHex("#9467BD"),   // purple
        ["agc"] = Color.FromHex("#8C564B"),        // brown
    };

    public static Plot Build(IReadOnlyList<(string Policy, RunHistory Run)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var plot = ReportPlots.NewPlot("Clip policies on the tutorial's exploding recipe: global norm pre (dotted) / post (solid) clip, test accuracy",
            "step", "global norm (log scale)");
        var series = runs.SelectMany(r => new[] { Log(r.Run, s => s.GlobalNorm), Log(r.Run, s => s.ClippedNorm) }).ToArray();
        double top = LogScale.TopBand(series);
        bool band = false;
        bool accuracyAxis = false;
        foreach (var (policy, run) in runs)
        {
            var color = Colors.TryGetValue(policy, out var c) ? c : ReportPlots.ClipNorm;
            double[] steps = ReportPlots.Steps(run);
            ReportPlots.Line(plot, steps, Log(run, s => s.GlobalNorm), color.WithAlpha(0.6), $"{policy}: pre-clip", LinePattern.Dotted);
            ReportPlots.Line(plot, steps, Log(run, s => s.Skipped ? double.NaN : s.ClippedNorm), color, $"{policy}: post-clip");
            band |= NonFinite(plot, run, top, color, policy);
            accuracyAxis |= Accuracy(plot, run, color, policy);
        }
        ReportPlots.Finish(plot, logY: true, band ? top : null);
        if (accuracyAxis)
        {
            plot.Axes.Right.Label.Text = "test accuracy (%)";
            plot.Axes.SetLimitsY(0, 100, plot.Axes.Right);
        }
        return plot;
    }

    static double[] Log(RunHistory run, Func<StepRecord, double> value) => LogScale.Log10(run.Steps.Select(value));

    static bool NonFinite(Plot plot, RunHistory run, double top, Color color, string policy)
    {
        double[] xs = [.. run.NonFiniteSteps.Select(s => (double)s.Step)];
        if (xs.Length == 0) return false;
        var markers = plot.Add.Markers(xs, [.. xs.Select(_ => top)], MarkerShape.Cross, 8, color);
        markers.LegendText = string.Create(CultureInfo.InvariantCulture, $"{policy}: non-finite / skipped ({xs.Length})");
        return true;
    }

    static bool Accuracy(Plot plot, RunHistory run, Color color, string policy)
    {
        var evaluated = run.Steps.Where(s => s.TestAccuracy is not null).ToArray();
        if (evaluated.Length == 0) return false;
        var accuracy = plot.Add.Scatter(evaluated.Select(s => (double)s.Step).ToArray(), evaluated.Select(s => 100 * s.TestAccuracy!.Value).ToArray(), color);
        accuracy.LineWidth = 1;
        accuracy.MarkerShape = MarkerShape.FilledSquare;
        accuracy.MarkerSize = 7;
        accuracy.LegendText = $"{policy}: test accuracy (right axis)";
        accuracy.Axes.YAxis = plot.Axes.Right;
        return true;
    }
}
