using Spectre.Console;
using Thresher.Client.Cluster;
using Thresher.Client.Reports;
using Thresher.Core.Data;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Commands;

/// <summary>
/// One run of a demo: its name (also its sub-folder), settings, the markup line that introduces it, whether only its
/// metrics.csv (clipping) or its whole report (the others) is written, and the report's title (default: the name).
/// </summary>
sealed record DemoRun(string Name, RunSettings Settings, string Intro, bool MetricsOnly = false, string? Title = null);

/// <summary>
/// What every `thresher demo` does around its own table and plot: load the dataset, start one embedded cluster,
/// train the runs one after the other (each followed like `train` follows its run), and fetch each run's history.
/// </summary>
sealed class DemoSession(IAnsiConsole console)
{
    /// <summary>The input layer follows a folder dataset's image size; a named dataset keeps the preset's layers.</summary>
    public static int[] LayersFor(IEnumerable<int> presetLayers, string data)
    {
        var layers = presetLayers.ToArray();
        if (Directory.Exists(data)) layers[0] = DatasetCatalog.Load(data).Train.Features;
        return layers;
    }

    /// <summary>
    /// Trains <paramref name="runs"/> in order under <paramref name="dir"/>/&lt;name&gt;; returns the worst exit code and the
    /// histories of the runs that ran (an interrupt ends the series after the run it stopped).
    /// </summary>
    public async Task<(int Code, List<RunHistory> Histories)> RunAsync(
        DemoSettings data, int[] layers, string dir, IReadOnlyList<DemoRun> runs, CancellationToken cancellation)
    {
        if (ReportPlots.MissingFontHint is { } hint) console.MarkupLineInterpolated($"[yellow]warning:[/] {hint}");
        DatasetLoading.Load(console, data.Data, data.DataDir, layers[0], layers[^1]);
        var silo = new SiloTrainingOptions { DataDirectory = data.DataDir };
        await using var cluster = await EmbeddedCluster.StartAsync(silo, TelemetryExporter.None, dashboard: null, cancellation).ConfigureAwait(false);
        var session = new RunSession(console, cluster.Client);
        var histories = new List<RunHistory>();
        int code = ExitCodes.Success;
        foreach (var demo in runs)
        {
            console.MarkupLine(demo.Intro);
            var config = demo.Settings.ToRunConfig();
            string runId = demo.Settings.NewRunId();
            string folder = Path.Combine(dir, demo.Name);
            var run = await session.StartAsync(runId, config, null).ConfigureAwait(false);
            code = Math.Max(code, await session.FollowAsync(run, config, demo.Settings, demo.MetricsOnly ? Path.Combine(folder, "metrics.csv") : null,
                Path.Combine(folder, "summary.json"), cancelRunOnInterrupt: true, cancellation).ConfigureAwait(false));
            var history = await RunHistory.FetchAsync(cluster.Client, runId).ConfigureAwait(false);
            if (!demo.MetricsOnly) RunReport.Write(history with { Name = $"{demo.Title ?? demo.Name} ({runId})" }, folder);
            histories.Add(history);
            if (cancellation.IsCancellationRequested) break;
        }
        return (code, histories);
    }
}
