using Thresher.Client.Output;

namespace Thresher.Client.Reports;

/// <summary>
/// Writes one run's report into a folder: global_norm, tensor_norms and loss_accuracy as PNG and SVG, the
/// metrics CSV (copied from the source file, or written from the cluster's history) and alerts.csv.
/// </summary>
public static class RunReport
{
    /// <summary>Writes the report; returns the files written, plots first. An empty history is bad input.</summary>
    public static IReadOnlyList<string> Write(RunHistory run, string directory)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Steps.Count == 0)
            throw new ThresherInputException($"run '{run.Name}' has no steps yet — nothing to plot; try again once it has trained a step");
        string dir = Path.GetFullPath(directory);
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        files.AddRange(ReportPlots.Save(ReportPlots.GlobalNorm(run), dir, "global_norm"));
        files.AddRange(ReportPlots.Save(ReportPlots.TensorNorms(run), dir, "tensor_norms"));
        files.AddRange(ReportPlots.Save(ReportPlots.LossAndAccuracy(run), dir, "loss_accuracy"));

        string metrics = Path.Combine(dir, "metrics.csv");
        if (run.SourceCsv is null)
        {
            using var csv = new MetricsCsv(metrics, run.TensorNames);
            foreach (var step in run.Steps) csv.Append(step);
        }
        else if (!string.Equals(run.SourceCsv, metrics, StringComparison.Ordinal))
        {
            File.Copy(run.SourceCsv, metrics, overwrite: true);
        }
        files.Add(metrics);

        // A cluster's history always says which alerts fired (maybe none); a metrics file says so only with an alerts.csv.
        if (run.SourceCsv is null || run.Alerts.Count > 0)
        {
            string alerts = Path.Combine(dir, AlertsCsv.FileName);
            AlertsCsv.Write(alerts, run.Alerts);
            files.Add(alerts);
        }
        return files;
    }
}
