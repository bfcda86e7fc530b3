namespace Thresher.Core.Optim;

/// <summary>
/// The learning rate of each step s = 0 … T − 1 of a run, a pure function of s (so a resumed run gets the same rates),
/// computed in double (the optimizer rounds it to float where PyTorch does). W = warm-up steps, η = the base rate, t = s − W, T' = T − W:
/// <list type="bullet">
/// <item>warm-up (constant, cosine, step): s &lt; W → η·(s + 1)/W, reaching η at s = W − 1;</item>
/// <item>constant: η;</item>
/// <item>cosine (CosineAnnealingLR, T_max = T'): η_min + (η − η_min)·(1 + cos(π·t/T'))/2;</item>
/// <item>step (StepLR): η·γ^⌊t/step-size⌋;</item>
/// <item>onecycle (OneCycleLR, anneal cos, three_phase False): η₀ = η/div, η_end = η₀/final-div; phase 1 ends at
/// e₁ = pct·T − 1: s ≤ e₁ → cos-anneal(η₀, η, s/e₁); else cos-anneal(η, η_end, (s − e₁)/(T − 1 − e₁)), with
/// cos-anneal(a, b, p) = b + (a − b)/2·(1 + cos(π·p)). A phase of length 0 counts as done (p = 1) where PyTorch divides 0 by 0.</item>
/// </list>
/// </summary>
public sealed class LearningRateSchedule
{
    readonly ScheduleOptions _options;

    /// <param name="baseLearningRate">η, the peak rate (finite, &gt; 0).</param>
    /// <param name="totalSteps">T ≥ 1, the run's steps.</param>
    public LearningRateSchedule(ScheduleOptions options, float baseLearningRate, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(baseLearningRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        _options = options;
        BaseLearningRate = baseLearningRate;
        TotalSteps = totalSteps;
    }

    /// <summary>The base rate every step.</summary>
    public static LearningRateSchedule Constant(float learningRate) => new(new ScheduleOptions(), learningRate, 1);

    public ScheduleOptions Options => _options;

    public float BaseLearningRate { get; }

    public long TotalSteps { get; }

    /// <summary>The rate of step <paramref name="step"/> (0-based; steps past T keep the formula's value at that step), in double.</summary>
    public double At(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        double eta = LearningRates.Exact(BaseLearningRate);
        var o = _options;
        if (o.Kind == ScheduleKind.OneCycle) return OneCycle(step, eta);
        if (step < o.WarmupSteps) return eta * (step + 1) / o.WarmupSteps;
        long t = step - o.WarmupSteps;
        return o.Kind switch
        {
            ScheduleKind.Cosine => o.MinLr + (eta - o.MinLr) * (1 + Math.Cos(Math.PI * t / Math.Max(1, TotalSteps - o.WarmupSteps))) / 2,
            ScheduleKind.Step => eta * Math.Pow(o.Gamma, t / o.StepSize),
            _ => eta,
        };
    }

    double OneCycle(long step, double maxLr)
    {
        double initial = maxLr / _options.DivFactor, final = initial / _options.FinalDivFactor;
        double end1 = (double)_options.PctStart * TotalSteps - 1, end2 = TotalSteps - 1;
        return step <= end1
            ? CosAnneal(initial, maxLr, Fraction(step, 0, end1))
            : CosAnneal(maxLr, final, Fraction(step, end1, end2));
    }

    static double Fraction(double step, double start, double end) => end > start ? (step - start) / (end - start) : 1;

    static double CosAnneal(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);
}
