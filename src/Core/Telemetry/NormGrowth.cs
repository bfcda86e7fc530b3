using System.Globalization;

namespace Thresher.Core.Telemetry;

/// <summary>
/// Which tensor and which worker grew most from one step to the next: the largest ratio now / before of the
/// per-tensor norms (layout order) and of the workers' local norms (worker order). A part that is non-finite now is
/// named first; without a previous step (or where it was 0) the largest part now is named with its share of the sum.
/// Alerts append <see cref="Describe"/> to their detail so a reader knows where to look.
/// </summary>
public static class NormGrowth
{
    /// <summary>"; w1 grew most (13.3×), worker 1 grew most (12.0×)", or "" when there is nothing to compare.</summary>
    public static string Describe(IReadOnlyList<double>? now, IReadOnlyList<double>? before, IReadOnlyList<string>? tensorNames,
        IReadOnlyList<double>? workersNow, IReadOnlyList<double>? workersBefore)
    {
        string tensor = Part(now, before, k => tensorNames is not null && k < tensorNames.Count ? tensorNames[k] : $"tensor {k}");
        string worker = Part(workersNow, workersBefore, w => $"worker {w}");
        return string.Join("", new[] { tensor, worker }.Where(s => s.Length > 0).Select(s => "; " + s));
    }

    /// <summary>The index of the part with the largest growth now / before (NaN-free parts only), or -1.</summary>
    public static int MostGrown(IReadOnlyList<double>? now, IReadOnlyList<double>? before, out double ratio)
    {
        ratio = double.NaN;
        int best = -1;
        if (now is null || before is null || now.Count != before.Count) return -1;
        for (int k = 0; k < now.Count; k++)
        {
            if (!(before[k] > 0) || !double.IsFinite(before[k]) || double.IsNaN(now[k])) continue;
            double r = now[k] / before[k];
            if (best < 0 || r > ratio) (best, ratio) = (k, r);
        }
        return best;
    }

    static string Part(IReadOnlyList<double>? now, IReadOnlyList<double>? before, Func<int, string> name)
    {
        if (now is null || now.Count == 0 || now.All(double.IsNaN)) return "";
        for (int k = 0; k < now.Count; k++)
            if (!double.IsFinite(now[k])) return $"{name(k)} is {F(now[k])}"; // the first part that went non-finite
        int most = MostGrown(now, before, out double ratio);
        if (most >= 0) return $"{name(most)} grew most ({F(ratio)}×: {F(before![most])} → {F(now[most])})";
        double sum = now.Where(double.IsFinite).Sum();
        int largest = Enumerable.Range(0, now.Count).MaxBy(k => double.IsFinite(now[k]) ? now[k] : double.NegativeInfinity);
        return sum > 0 ? $"{name(largest)} is largest ({F(now[largest])}, {F(100 * now[largest] / sum)} % of the sum)" : "";
    }

    static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
