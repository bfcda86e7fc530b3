using Thresher.Core.Training;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// AutoClip (Seetharaman et al. 2020, "AutoClip: Adaptive Gradient Clipping for Source Separation Networks"),
/// as its reference code (github.com/pseeth/autoclip): the step's global norm n joins the history first, then the
/// threshold is np.percentile(history, p) — linear interpolation (<see cref="Percentile"/>) — and g is clipped to
/// it. The history holds the newest <see cref="History"/> applied norms (null: all), current one included, in an
/// <see cref="OrderStatisticTree"/>: O(log n) per step. Differences: the scale is t/n (the reference calls
/// torch's clip_grad_norm_, which divides by n + 1e-6); a non-finite n never joins the history (its step is
/// skipped) and is judged against the history as it is (+∞ when empty).
/// </summary>
public sealed class AutoClip : ClipPolicy
{
    readonly OrderStatisticTree _sorted = new();
    readonly Queue<double> _order = new(); // the history, oldest first; its sequence numbers are _next − Count … _next − 1
    long _next;                            // sequence number of the next norm

    public AutoClip(double percentile, int? history)
    {
        if (!(percentile >= 0 && percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "percentile must be in [0, 100]");
        if (history is int h) ArgumentOutOfRangeException.ThrowIfLessThan(h, 1, nameof(history));
        (PercentileRank, History) = (percentile, history);
    }

    /// <summary>p in [0, 100].</summary>
    public double PercentileRank { get; }

    /// <summary>Most norms kept (null: all).</summary>
    public int? History { get; }

    /// <summary>Norms in the history now.</summary>
    public int Count => _order.Count;

    public override ClipPolicyKind Kind => ClipPolicyKind.AutoClip;

    public override ClipDecision Decide(double[] tensorNorms, double globalNorm)
    {
        if (!double.IsFinite(globalNorm))
        {
            double current = Count == 0 ? double.PositiveInfinity : Percentile(_sorted.Select, Count, PercentileRank);
            return Uniform(tensorNorms, globalNorm, current) with { Observed = globalNorm };
        }
        // The history with n in it (and its oldest out when full), asked, then put back: Decide changes nothing.
        bool evicts = History is int h && Count >= h;
        long oldest = _next - Count;
        if (evicts) _sorted.Remove(_order.Peek(), oldest);
        _sorted.Insert(globalNorm, _next);
        double threshold = Percentile(_sorted.Select, _sorted.Count, PercentileRank);
        _sorted.Remove(globalNorm, _next);
        if (evicts) _sorted.Insert(_order.Peek(), oldest);
        return Uniform(tensorNorms, globalNorm, threshold) with { Observed = globalNorm };
    }

    public override void Commit(ClipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (double.IsFinite(decision.Observed)) Add(decision.Observed);
    }

    void Add(double norm)
    {
        if (History is int h && Count >= h) _sorted.Remove(_order.Dequeue(), _next - h);
        _sorted.Insert(norm, _next++);
        _order.Enqueue(norm);
    }

    /// <summary>
    /// np.percentile(a, p) with its default method "linear" for the n sorted values kth(0) ≤ … ≤ kth(n − 1):
    /// h = (n − 1)·(p / 100), i = ⌊h⌋, γ = h − i, a = kth(i), b = kth(min(i + 1, n − 1)), and numpy's _lerp:
    /// a + (b − a)·γ, or b − (b − a)·(1 − γ) when γ ≥ 0.5.
    /// </summary>
    public static double Percentile(Func<int, double> kth, int n, double p)
    {
        ArgumentNullException.ThrowIfNull(kth);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        double h = (n - 1) * (p / 100);
        int i = Math.Min((int)Math.Floor(h), n - 1);
        double gamma = h - i;
        double a = kth(i), b = kth(Math.Min(i + 1, n - 1));
        double diff = b - a;
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    }

    /// <summary>Layout: [next sequence number, history oldest first…] as little-endian doubles.</summary>
    public override byte[] SaveState() => ClipState.Write([_next, .. _order]);

    /// <summary>Replaces the history with the saved one (a fresh policy from a checkpoint, or a rewind's snapshot).</summary>
    public override void RestoreState(byte[] state)
    {
        var values = ClipState.Read(state, minimum: 1, Kind);
        for (long sequence = _next - Count; _order.Count > 0; sequence++) _sorted.Remove(_order.Dequeue(), sequence);
        _next = (long)values[0] - (values.Length - 1);
        foreach (double norm in values.AsSpan(1)) Add(norm);
    }
}
