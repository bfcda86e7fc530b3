using Thresher.Abstractions;
using Thresher.Core.Telemetry;

namespace Thresher.Dashboard;

/// <summary>An alert as the run page lists and marks it.</summary>
public sealed record AlertView(long Step, string Reason, double? Value, double? Baseline, string Detail);

/// <summary>
/// Steps of a run as columns, ready for the charts: <c>Step[i]</c> with <c>Loss[i]</c>, <c>GlobalNorm[i]</c>, …,
/// <c>TensorNorms[t][i]</c> (tensor t in layout order w1, b1, w2, …), <c>WorkerNorms[w][i]</c>, <c>LearningRate[i]</c> (the schedule's rate). Non-finite values
/// are null (JSON has no NaN; the charts draw a gap). <c>Downsampled</c>: the rows are a min/max selection of
/// [From, To) (<see cref="MinMaxDownsampling"/>), else every recorded step in that range.
/// </summary>
public sealed record HistoryWindow(
    string RunId, long TotalSteps, long Recorded, long From, long To, bool Downsampled,
    double? Clip, string[] Tensors,
    long[] Step, double?[] Loss, double?[] GlobalNorm, double?[] ClippedNorm, bool[] Skipped,
    double?[][] TensorNorms, double?[][] WorkerNorms, double?[] TestAccuracy, double?[] LearningRate,
    AlertView[] Alerts, int AlertsLeftOut)
{
    /// <summary>Default and limits of the <c>points</c> query option.</summary>
    public const int DefaultPoints = 2000, MinPoints = 2, MaxPoints = 100_000;

    /// <summary>Alerts listed at most per answer (a long non-finite stretch raises one per step).</summary>
    public const int MaxAlerts = 1000;

    /// <summary>
    /// The steps <paramref name="from"/> ≤ step &lt; <paramref name="to"/> of <paramref name="run"/>, at most about
    /// <paramref name="points"/> rows: every one when the range holds no more, else a min/max selection that keeps each
    /// series' spikes. Alerts of the range are all listed (up to <see cref="MaxAlerts"/>), whatever rows are kept.
    /// </summary>
    public static HistoryWindow Of(RunSnapshot run, long from, long to, int points)
    {
        ArgumentNullException.ThrowIfNull(run);
        var records = run.Records;
        int first = LowerBound(records, from), end = LowerBound(records, to);
        int tensors = records.Length == 0 ? 0 : records[0].TensorNorms.Length;
        int workers = records.Length == 0 ? 0 : records[0].WorkerNorms.Length;
        int[] rows = [.. MinMaxDownsampling.Select(Series(records[first..end], tensors, workers), 0, end - first, points).Select(i => i + first)];
        var alerts = records[first..end].SelectMany(r => r.Alerts).ToArray();
        return new HistoryWindow(
            run.Status.RunId, run.Status.TotalSteps, records.Length, from, to, rows.Length < end - first,
            run.Status.Config?.Clip, [.. Enumerable.Range(0, tensors).Select(TensorName)],
            [.. rows.Select(i => records[i].Step)],
            Column(records, rows, r => r.Loss), Column(records, rows, r => r.GlobalNorm),
            Column(records, rows, r => r.ClippedNorm), [.. rows.Select(i => records[i].Skipped)],
            [.. Enumerable.Range(0, tensors).Select(t => Column(records, rows, r => At(r.TensorNorms, t)))],
            [.. Enumerable.Range(0, workers).Select(w => Column(records, rows, r => At(r.WorkerNorms, w)))],
            Column(records, rows, r => r.TestAccuracy ?? double.NaN), Column(records, rows, r => r.LearningRate),
            [.. alerts.Take(MaxAlerts).Select(View)], Math.Max(0, alerts.Length - MaxAlerts));
    }

    /// <summary>w1, b1, w2, b2, …: the layout order of an MLP's tensors.</summary>
    public static string TensorName(int index) => $"{(index % 2 == 0 ? 'w' : 'b')}{index / 2 + 1}";

    public static AlertView View(GradientAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new AlertView(alert.Step, alert.Reason, Finite(alert.Value), Finite(alert.Baseline), alert.Detail);
    }

    /// <summary>Every charted series, for the downsampler to keep each one's extremes.</summary>
    static IReadOnlyList<double>[] Series(StepRecord[] records, int tensors, int workers)
    {
        var series = new List<IReadOnlyList<double>>
        {
            records.Select(r => r.Loss).ToArray(),
            records.Select(r => r.GlobalNorm).ToArray(),
            records.Select(r => r.ClippedNorm).ToArray(),
            records.Select(r => r.TestAccuracy ?? double.NaN).ToArray(),
        };
        for (int t = 0; t < tensors; t++) series.Add(records.Select(r => At(r.TensorNorms, t)).ToArray());
        for (int w = 0; w < workers; w++) series.Add(records.Select(r => At(r.WorkerNorms, w)).ToArray());
        return [.. series];
    }

    static double?[] Column(StepRecord[] records, int[] rows, Func<StepRecord, double> value)
        => [.. rows.Select(i => Finite(value(records[i])))];

    static double At(double[] values, int index) => index < values.Length ? values[index] : double.NaN;

    static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Index of the first record whose step is ≥ <paramref name="step"/> (records are ordered by step).</summary>
    static int LowerBound(StepRecord[] records, long step)
    {
        int low = 0, high = records.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (records[mid].Step < step) low = mid + 1;
            else high = mid;
        }
        return low;
    }
}
