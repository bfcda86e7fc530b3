using System.Globalization;

namespace Thresher.Core.Training;

/// <summary>How much one worker's local norm stands out at a spike.</summary>
/// <param name="Z">ln of its local norm against its own accepted history, in sd ((ln x − mean) / sd); +∞ when non-finite, NaN without history.</param>
/// <param name="Share">Its local norm's share of the workers' sum, in [0, 1] (NaN when the sum is not finite).</param>
public readonly record struct WorkerSuspicion(int Worker, double Z, double Share);

/// <summary>
/// Which worker drove a spike: each worker's local norm is judged against that worker's own history (the last Window
/// accepted steps, in ln: norms move by factors), and its share of the sum; the suspect is the worker with the
/// highest z (a non-finite local norm first), or the largest share while there is no history. Only accepted steps
/// enter the history. Not thread-safe; one per run.
/// </summary>
public sealed class WorkerBlame(int window)
{
    readonly List<Queue<double>> _logs = [];

    /// <summary>The workers, most suspicious first.</summary>
    public WorkerSuspicion[] Rank(IReadOnlyList<double> localNorms)
    {
        ArgumentNullException.ThrowIfNull(localNorms);
        double sum = localNorms.Sum();
        var ranked = new WorkerSuspicion[localNorms.Count];
        for (int w = 0; w < ranked.Length; w++)
        {
            double x = localNorms[w];
            ranked[w] = new(w, !double.IsFinite(x) ? double.PositiveInfinity : Z(w, x), double.IsFinite(sum) && sum > 0 ? x / sum : double.NaN);
        }
        return [.. ranked.OrderByDescending(s => double.IsNaN(s.Z) ? double.NegativeInfinity : s.Z).ThenByDescending(s => double.IsNaN(s.Share) ? 0 : s.Share)];
    }

    /// <summary>The step was accepted: each worker's finite local norm enters its history.</summary>
    public void Accept(IReadOnlyList<double> localNorms)
    {
        ArgumentNullException.ThrowIfNull(localNorms);
        while (_logs.Count < localNorms.Count) _logs.Add(new Queue<double>());
        for (int w = 0; w < localNorms.Count; w++)
        {
            if (!(localNorms[w] > 0) || !double.IsFinite(localNorms[w])) continue;
            _logs[w].Enqueue(Math.Log(localNorms[w]));
            if (_logs[w].Count > window) _logs[w].Dequeue();
        }
    }

    /// <summary>"worker 1 (local norm z 41, 97 % of the sum)".</summary>
    public static string Describe(WorkerSuspicion s)
        => string.Create(CultureInfo.InvariantCulture, $"worker {s.Worker} (local norm z {s.Z:G3}, {100 * s.Share:G3} % of the sum)");

    double Z(int w, double x)
    {
        if (w >= _logs.Count || _logs[w].Count < 2 || !(x > 0)) return double.NaN;
        double mean = _logs[w].Average();
        double sd = Math.Sqrt(_logs[w].Sum(v => (v - mean) * (v - mean)) / (_logs[w].Count - 1));
        return sd > 0 ? (Math.Log(x) - mean) / sd : double.NaN;
    }
}
