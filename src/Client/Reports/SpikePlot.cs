using ScottPlot;

namespace Thresher.Client.Reports;

/// <summary>`demo spikes`' picture: each policy's loss (log) over its kept steps, its spikes and actions marked.</summary>
public static class SpikePlot
{
    /// <summary>Line colours by run, in order (none, skip, rewind).</summary>
    public static IReadOnlyList<Color> Colors { get; } = [ReportPlots.Unclipped, ReportPlots.PreClip, ReportPlots.Loss];

    public static Plot Losses(IReadOnlyList<RunHistory> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var plot = ReportPlots.NewPlot("The response ladder: the same seed and injected spikes under --on-spike " + string.Join(" | ", runs.Select(r => r.Name)),
            "step", "loss (log scale)");
        for (int i = 0; i < runs.Count; i++)
        {
            var color = Colors[i % Colors.Count];
            var steps = runs[i].Steps;
            double[] xs = [.. steps.Select(s => (double)s.Step)];
            double[] ys = LogScale.Log10(steps.Select(s => s.Loss));
            var line = plot.Add.ScatterLine(xs, ys, color);
            line.LineWidth = 2;
            line.LegendText = $"{runs[i].Name}: loss";
            Mark(plot, steps.Where(s => s.Spike is not null && s.Action != "none").ToList(), color, MarkerShape.Cross, $"{runs[i].Name}: spike skipped");
            Mark(plot, steps.Where(s => s.Spike is not null && s.Action == "none").ToList(), color, MarkerShape.OpenCircle, $"{runs[i].Name}: spike applied");
            Mark(plot, steps.Where(s => s.Event is not null).ToList(), color, MarkerShape.OpenTriangleDown, $"{runs[i].Name}: re-run after a rewind");
        }
        LogScale.Apply(plot.Axes.Left);
        plot.Axes.AutoScale();
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    static void Mark(Plot plot, IReadOnlyList<Thresher.Abstractions.StepRecord> steps, Color color, MarkerShape shape, string legend)
    {
        if (steps.Count == 0) return;
        double[] ys = [.. steps.Select(s => double.IsFinite(s.Loss) && s.Loss > 0 ? Math.Log10(s.Loss) : 0)];
        var markers = plot.Add.Markers([.. steps.Select(s => (double)s.Step)], ys, shape, 12, color);
        markers.MarkerLineWidth = 2;
        markers.LegendText = legend;
    }
}
