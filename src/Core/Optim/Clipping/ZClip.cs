using Thresher.Core.Training;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// ZClip (Kumar et al. 2025, "ZClip: Adaptive Spike Mitigation for LLM Pre-Training"), following the authors'
/// reference code (github.com/bluorion-com/ZClip, zclip/zclip.py, mode zscore, clip_option adaptive_scaling,
/// clip_factor 1) on the global norm n:
/// <list type="bullet">
/// <item>Warm-up: the first <see cref="Warmup"/> applied steps' norms are collected; then μ = their mean and
/// σ² = their population variance (÷ N). Meanwhile only the hard cap clips.</item>
/// <item>After: σ = √σ², z = (n − μ) / (σ + ε), ε = 1e-6. If z &gt; z_thr the clip value is
/// t = μ + z_thr·σ / (z / z_thr) (the reciprocal rule: the larger the spike, the harder the clip), else none.
/// The applied threshold is min(t, cap) (cap: --clip, optional).</item>
/// <item>Then the EMAs take x = t when clipped, else n (not the capped value, as the reference): μ ← α·μ + (1 − α)·x
/// first, then σ² ← α·σ² + (1 − α)·(x − μ)² with the new μ.</item>
/// </list>
/// Differences: the scale is t/n (the reference divides by n + 1e-6); a non-finite n is never collected nor
/// folded into the EMAs (the step is skipped). Reported threshold: the clip value when clipped, else the level
/// n would have had to exceed, min(μ + z_thr·(σ + ε), cap); in warm-up the cap (or +∞).
/// </summary>
public sealed class ZClip : ClipPolicy
{
    public const double Epsilon = 1e-6;

    readonly List<double> _warmupNorms = [];

    public ZClip(int warmup, double alpha, double zThreshold, float? cap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(warmup, 1);
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in (0, 1)");
        if (!(zThreshold > 0 && double.IsFinite(zThreshold))) throw new ArgumentOutOfRangeException(nameof(zThreshold), zThreshold, "z threshold must be a finite number > 0");
        if (cap is float c && !(c > 0 && float.IsFinite(c))) throw new ArgumentOutOfRangeException(nameof(cap), c, "cap must be a finite number > 0");
        (Warmup, Alpha, ZThreshold, Cap) = (warmup, alpha, zThreshold, cap);
    }

    public int Warmup { get; }
    public double Alpha { get; }
    public double ZThreshold { get; }
    public float? Cap { get; }

    /// <summary>True once the warm-up's norms have set μ and σ².</summary>
    public bool Initialized { get; private set; }

    /// <summary>EMA of the norm (μ); NaN during warm-up.</summary>
    public double Mean { get; private set; } = double.NaN;

    /// <summary>EMA of the squared deviation (σ²); NaN during warm-up.</summary>
    public double Variance { get; private set; } = double.NaN;

    public override ClipPolicyKind Kind => ClipPolicyKind.ZClip;

    double CapOrInfinity => Cap ?? double.PositiveInfinity;

    public override ClipDecision Decide(double[] tensorNorms, double globalNorm)
    {
        if (!Initialized || !double.IsFinite(globalNorm))
        {
            double level = Initialized ? Math.Min(Mean + ZThreshold * (Math.Sqrt(Variance) + Epsilon), CapOrInfinity) : CapOrInfinity;
            return Uniform(tensorNorms, globalNorm, Cap ?? double.PositiveInfinity) with { Threshold = level, Observed = globalNorm };
        }
        double std = Math.Sqrt(Variance);
        double z = (globalNorm - Mean) / (std + Epsilon);
        if (z > ZThreshold)
        {
            double clipValue = Mean + ZThreshold * std / (z / ZThreshold);
            return Uniform(tensorNorms, globalNorm, Math.Min(clipValue, CapOrInfinity)) with { Observed = clipValue };
        }
        double trigger = Mean + ZThreshold * (std + Epsilon);
        return Uniform(tensorNorms, globalNorm, CapOrInfinity) with { Threshold = Math.Min(trigger, CapOrInfinity), Observed = globalNorm };
    }

    public override void Commit(ClipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        double x = decision.Observed;
        if (!double.IsFinite(x)) return;
        if (!Initialized)
        {
            _warmupNorms.Add(x);
            if (_warmupNorms.Count >= Warmup) Initialize();
            return;
        }
        Mean = Alpha * Mean + (1 - Alpha) * x;
        Variance = Alpha * Variance + (1 - Alpha) * (x - Mean) * (x - Mean);
    }

    /// <summary>μ = mean, σ² = population variance of the warm-up's norms, summed in order as the reference's sum().</summary>
    void Initialize()
    {
        double sum = 0;
        foreach (double x in _warmupNorms) sum += x;
        double mean = sum / _warmupNorms.Count;
        double squares = 0;
        foreach (double x in _warmupNorms) squares += (x - mean) * (x - mean);
        (Mean, Variance, Initialized) = (mean, squares / _warmupNorms.Count, true);
        _warmupNorms.Clear();
    }

    /// <summary>Layout: [initialized (0|1), μ, σ², warm-up norms…] as little-endian doubles.</summary>
    public override byte[] SaveState() => ClipState.Write([Initialized ? 1 : 0, Mean, Variance, .. _warmupNorms]);

    public override void RestoreState(byte[] state)
    {
        var values = ClipState.Read(state, minimum: 3, Kind);
        Initialized = values[0] != 0;
        (Mean, Variance) = (values[1], values[2]);
        _warmupNorms.Clear();
        _warmupNorms.AddRange(values.AsSpan(3));
    }
}
