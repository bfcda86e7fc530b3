using Thresher.Abstractions;
using Thresher.Client.Commands;
using Thresher.Client.Output;
using Thresher.Core.Model;

namespace Thresher.Client.Reports;

/// <summary>
/// What a report plots: a run's steps in order, its tensor names (layout order, w1, b1, …), its explosion
/// alerts and its clip norm when known.
/// </summary>
/// <param name="Name">The run id, or the metrics file's folder name.</param>
/// <param name="TensorNames">Names of the per-tensor norms in each step's TensorNorms.</param>
/// <param name="Steps">One record per step, ascending.</param>
/// <param name="Alerts">Alerts the run recorded; empty when none were, or none are known (a metrics CSV without alerts.csv).</param>
/// <param name="Clip">clip_by_global_norm's clip norm; null when the run did not clip or it is unknown.</param>
/// <param name="SourceCsv">The metrics file it was read from, when it was.</param>
public sealed record RunHistory(
    string Name,
    IReadOnlyList<string> TensorNames,
    IReadOnlyList<StepRecord> Steps,
    IReadOnlyList<GradientAlert> Alerts,
    double? Clip,
    string? SourceCsv = null)
{
    const int Page = 1000;

    /// <summary>Reads a run's whole history from a cluster; an unknown run is bad input.</summary>
    public static async Task<RunHistory> FetchAsync(IClusterClient client, string runId)
    {
        ArgumentNullException.ThrowIfNull(client);
        var status = await KnownRun.StatusAsync(client, runId).ConfigureAwait(false);
        var config = status.Config!;
        var run = client.GetGrain<IRunGrain>(runId);
        var steps = new List<StepRecord>();
        while (true)
        {
            var page = await run.GetHistory(steps.Count, Page).ConfigureAwait(false);
            steps.AddRange(page);
            if (page.Length < Page) break;
        }
        var names = new ParameterLayout(new MlpConfig(config.Layers)).Names;
        double? clip = string.Equals(config.ClipPolicy, "global", StringComparison.OrdinalIgnoreCase) ? config.Clip : null; // one fixed norm to draw
        return new RunHistory(runId, [.. names], steps, [.. steps.SelectMany(s => s.Alerts)], clip);
    }

    /// <summary>
    /// Reads a metrics CSV (as `train` writes it) and, when an alerts.csv lies beside it, the alerts. The clip
    /// norm is inferred from the clipped steps (their post-clip norm is the clip norm), when they all share one
    /// (global clipping; an adaptive or per-tensor policy has none to draw).
    /// </summary>
    public static RunHistory ReadCsv(string path)
    {
        var (names, steps) = MetricsCsv.Read(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        string alertsPath = Path.Combine(folder, AlertsCsv.FileName);
        var alerts = File.Exists(alertsPath) ? AlertsCsv.Read(alertsPath) : [];
        var clippedNorms = steps.Where(s => s.Clipped && double.IsFinite(s.ClippedNorm)).Select(s => s.ClippedNorm).Distinct().ToArray();
        double? clip = clippedNorms.Length == 1 ? clippedNorms[0] : null;
        string name = Path.GetFileName(folder) is { Length: > 0 } dir ? dir : Path.GetFileNameWithoutExtension(full);
        return new RunHistory(name, names, steps, alerts, clip, full);
    }

    /// <summary>Steps whose pre-clip global norm was NaN or ±∞, or that the parameter server skipped.</summary>
    public IEnumerable<StepRecord> NonFiniteSteps => Steps.Where(s => !double.IsFinite(s.GlobalNorm) || s.Skipped);
}
