using System.Globalization;
using ScottPlot;
using SkiaSharp;
using Thresher.Abstractions;

namespace Thresher.Client.Reports;

/// <summary>
/// The report's plots, built with ScottPlot: global norm pre/post clip (log y) with explosion markers,
/// per-tensor norms (log y), loss and test accuracy, and the demo's unclipped-vs-clipped comparison. Norms
/// that are NaN or ±∞ cannot sit on a log axis; they are drawn as markers in a band above the data.
/// The series colours are fixed (tests look for them in the PNG).
/// </summary>
public static class ReportPlots
{
    public const int Width = 1200;
    public const int Height = 700;

    public static Color PreClip { get; } = Color.FromHex("#1F77B4");   // blue
    public static Color PostClip { get; } = Color.FromHex("#FF7F0E");  // orange
    public static Color NonFinite { get; } = Color.FromHex("#D62728"); // red
    public static Color Alert { get; } = Color.FromHex("#9467BD");     // purple
    public static Color ClipNorm { get; } = Color.FromHex("#7F7F7F");  // grey
    public static Color Loss { get; } = Color.FromHex("#2CA02C");      // green
    public static Color Accuracy { get; } = Color.FromHex("#17BECF");  // cyan
    public static Color Unclipped { get; } = Color.FromHex("#E377C2"); // pink
    /// <summary>One colour per layer: w_k solid, b_k dashed in layer k's colour (no red: that marks non-finite steps).</summary>
    public static IReadOnlyList<Color> Layers { get; } =
        [.. new[] { "#1F77B4", "#2CA02C", "#8C564B", "#FF7F0E", "#17BECF", "#BCBD22", "#E377C2", "#7F7F7F" }.Select(Color.FromHex)];

    /// <summary>A sans-serif family this machine has (Debian: fonts-dejavu-core), else ScottPlot's pick.</summary>
    static readonly string? SansFont = new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "Segoe UI" }
        .FirstOrDefault(f => SKFontManager.Default.FontFamilies.Contains(f, StringComparer.OrdinalIgnoreCase));

    /// <summary>Why the plots would have no text, when this machine has no font at all; null otherwise.</summary>
    public static string? MissingFontHint => SKFontManager.Default.FontFamilyCount == 0
        ? "no fonts found: the plots' titles and labels will be blank — install one (Debian: apt-get install fonts-dejavu-core)"
        : null;

    /// <summary>Pre- and post-clip global norm vs step, log y; non-finite steps at the top, alerts marked.</summary>
    public static Plot GlobalNorm(RunHistory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var plot = NewPlot($"Gradient global norm — {run.Name}", "step", "global norm (log scale)");
        double[] steps = Steps(run);
        double[] pre = LogScale.Log10(run.Steps.Select(s => s.GlobalNorm));
        double[] post = LogScale.Log10(run.Steps.Select(s => s.ClippedNorm));
        double top = LogScale.TopBand([pre, post]);
        Line(plot, steps, pre, PreClip, "pre-clip");
        Line(plot, steps, post, PostClip, "post-clip", LinePattern.Dashed);
        if (run.Clip is double clip) ClipLine(plot, clip);
        bool band = NonFiniteMarkers(plot, run.NonFiniteSteps.Select(s => s.Step), top, "non-finite / skipped step");
        band |= AlertMarkers(plot, run, top);
        Finish(plot, logY: true, band ? top : null);
        return plot;
    }

    /// <summary>Each tensor's pre-clip gradient norm vs step, log y.</summary>
    public static Plot TensorNorms(RunHistory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var plot = NewPlot($"Per-tensor gradient norms (pre-clip) — {run.Name}", "step", "tensor norm (log scale)");
        double[] steps = Steps(run);
        var series = new List<double[]>();
        for (int t = 0; t < run.TensorNames.Count; t++)
        {
            double[] norms = LogScale.Log10(run.Steps.Select(s => t < s.TensorNorms.Length ? s.TensorNorms[t] : double.NaN));
            series.Add(norms);
            Line(plot, steps, norms, Layers[t / 2 % Layers.Count], run.TensorNames[t], t % 2 == 1 ? LinePattern.Dashed : LinePattern.Solid);
        }
        double top = LogScale.TopBand(series);
        bool band = NonFiniteMarkers(plot, run.Steps.Where(s => s.TensorNorms.Any(n => !double.IsFinite(n))).Select(s => s.Step), top, "non-finite norm");
        Finish(plot, logY: true, band ? top : null);
        return plot;
    }

    /// <summary>Loss vs step (log y when it spans two decades or more) and test accuracy on the right axis.</summary>
    public static Plot LossAndAccuracy(RunHistory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        bool log = LogScale.Spans(run.Steps.Select(s => s.Loss), decades: 2);
        var plot = NewPlot($"Loss and test accuracy — {run.Name}", "step", log ? "mean loss (log scale)" : "mean loss");
        double[] steps = Steps(run);
        double[] loss = log ? LogScale.Log10(run.Steps.Select(s => s.Loss)) : [.. run.Steps.Select(s => double.IsFinite(s.Loss) ? s.Loss : double.NaN)];
        double top = log ? LogScale.TopBand([loss]) : (loss.Any(double.IsFinite) ? loss.Where(double.IsFinite).Max() * 1.1 : 1);
        Line(plot, steps, loss, Loss, "loss (train batch)");
        bool band = NonFiniteMarkers(plot, run.Steps.Where(s => !double.IsFinite(s.Loss)).Select(s => s.Step), top, "non-finite loss");
        var evaluated = run.Steps.Where(s => s.TestAccuracy is not null).ToArray();
        if (evaluated.Length > 0)
        {
            var accuracy = plot.Add.Scatter(evaluated.Select(s => (double)s.Step).ToArray(), evaluated.Select(s => 100 * s.TestAccuracy!.Value).ToArray(), Accuracy);
            accuracy.LineWidth = 2;
            accuracy.MarkerSize = 8;
            accuracy.LegendText = "test accuracy (right axis)";
            accuracy.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "test accuracy (%)";
        }
        Finish(plot, log, band ? top : null);
        if (evaluated.Length > 0) plot.Axes.SetLimitsY(0, 100, plot.Axes.Right);
        return plot;
    }

    /// <summary>The demo's story in one picture: the unclipped run's norm explodes, the clipped run's stays bounded.</summary>
    public static Plot Comparison(RunHistory unclipped, RunHistory clipped, double clip)
    {
        ArgumentNullException.ThrowIfNull(unclipped);
        ArgumentNullException.ThrowIfNull(clipped);
        var plot = NewPlot(string.Create(CultureInfo.InvariantCulture, $"Gradient explosion: unclipped vs clip_by_global_norm({clip:G4}), same seed"),
            "step", "global norm (log scale)");
        double[] u = LogScale.Log10(unclipped.Steps.Select(s => s.GlobalNorm));
        double[] cPre = LogScale.Log10(clipped.Steps.Select(s => s.GlobalNorm));
        double[] cPost = LogScale.Log10(clipped.Steps.Select(s => s.ClippedNorm));
        double top = LogScale.TopBand([u, cPre, cPost]);
        Line(plot, Steps(unclipped), u, Unclipped, "unclipped: global norm");
        Line(plot, Steps(clipped), cPre, PreClip, "clipped: pre-clip norm");
        Line(plot, Steps(clipped), cPost, PostClip, "clipped: post-clip norm", LinePattern.Dashed);
        ClipLine(plot, clip);
        bool band = NonFiniteMarkers(plot, unclipped.NonFiniteSteps.Select(s => s.Step), top, "unclipped: non-finite / skipped step");
        band |= AlertMarkers(plot, unclipped, top);
        Finish(plot, logY: true, band ? top : null);
        return plot;
    }

    /// <summary>Writes NAME.png and NAME.svg into <paramref name="directory"/>; returns both paths.</summary>
    public static string[] Save(Plot plot, string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(plot);
        string png = Path.Combine(directory, name + ".png"), svg = Path.Combine(directory, name + ".svg");
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return [png, svg];
    }

    internal static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        if (SansFont is not null) plot.Font.Set(SansFont);
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.Grid.MinorLineWidth = 1;
        plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
        return plot;
    }

    internal static double[] Steps(RunHistory run) => [.. run.Steps.Select(s => (double)s.Step)];

    internal static void Line(Plot plot, double[] xs, double[] ys, Color color, string legend, LinePattern? pattern = null)
    {
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = 2;
        line.LinePattern = pattern ?? LinePattern.Solid;
        line.LegendText = legend;
    }

    static void ClipLine(Plot plot, double clip)
    {
        var line = plot.Add.HorizontalLine(Math.Log10(clip), 1.5f, ClipNorm, LinePattern.Dotted);
        line.LegendText = string.Create(CultureInfo.InvariantCulture, $"clip norm {clip:G4}");
    }

    /// <summary>Red crosses in the top band at each given step (a log axis has no place for NaN or ∞).</summary>
    internal static bool NonFiniteMarkers(Plot plot, IEnumerable<long> steps, double top, string legend)
    {
        double[] xs = [.. steps.Select(s => (double)s)];
        if (xs.Length == 0) return false;
        var markers = plot.Add.Markers(xs, [.. xs.Select(_ => top)], MarkerShape.Cross, 10, NonFinite);
        markers.MarkerLineWidth = 2;
        markers.LegendText = legend;
        return true;
    }

    /// <summary>Purple triangles for threshold and spike alerts at their norm; non-finite alerts sit in the top band.</summary>
    static bool AlertMarkers(Plot plot, RunHistory run, double top)
    {
        var alerts = run.Alerts;
        if (alerts.Count == 0) return false;
        double[] xs = [.. alerts.Select(a => (double)a.Step)];
        double[] ys = [.. alerts.Select(a => double.IsFinite(a.Value) && a.Value > 0 ? Math.Log10(a.Value) : top)];
        var markers = plot.Add.Markers(xs, ys, MarkerShape.OpenTriangleDown, 14, Alert);
        markers.MarkerLineWidth = 2;
        markers.LegendText = $"explosion alert ({string.Join(", ", alerts.GroupBy(a => a.Reason).Select(g => $"{g.Key} ×{g.Count()}"))})";
        return alerts.Any(a => !double.IsFinite(a.Value) || a.Value <= 0);
    }

    /// <summary>Log ticks, autoscale with the top band (when it holds markers) inside the frame, legend beside the data.</summary>
    internal static void Finish(Plot plot, bool logY, double? band)
    {
        if (logY) LogScale.Apply(plot.Axes.Left);
        plot.Axes.AutoScale();
        if (band is double top)
        {
            double pad = logY ? 0.25 : 0.05 * Math.Max(Math.Abs(top), 1e-12);
            if (plot.Axes.Left.Max < top + pad) plot.Axes.SetLimitsY(plot.Axes.Left.Min, top + pad, plot.Axes.Left);
        }
        plot.ShowLegend(Edge.Right);
    }
}
