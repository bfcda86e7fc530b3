using System.Globalization;

namespace Thresher.Core.Telemetry;

/// <summary>
/// When <see cref="ExplosionDetector"/> raises an alert on a step's pre-clip global norm n.
/// A non-finite n always alerts, at once.
/// </summary>
public sealed record ExplosionDetectorOptions
{
    /// <summary>Alert when n exceeds this (&gt; 0), from the first step; null (default) turns the rule off.</summary>
    public double? AbsoluteThreshold { get; init; }

    /// <summary>
    /// Alert when n &gt; G × the previous step's finite norm (G &gt; 1), from step 1: the early warning that needs
    /// no history. Default 5: the unclipped tutorial's first step grows 10×; the default recipe's norms never grow
    /// more than about 3× in one step.
    /// </summary>
    public double GrowthFactor { get; init; } = 5;

    /// <summary>Alert when n &gt; k × the median of the window (k &gt; 1). Default 10.</summary>
    public double SpikeFactor { get; init; } = 10;

    /// <summary>
    /// Alert when the robust z-score of ln n against the window, (ln n − median) / (1.4826 · MAD), exceeds m (&gt; 0).
    /// Default 6.
    /// </summary>
    public double SigmaFactor { get; init; } = 6;

    /// <summary>Finite norms the rolling statistics cover, 2..10000. Default 50.</summary>
    public int Window { get; init; } = 50;

    /// <summary>Finite norms observed before the window rules (k × median, robust z) may fire, 1..Window. Default 3.</summary>
    public int WarmUp { get; init; } = 3;

    public void Validate()
    {
        static string N(double v) => v.ToString(CultureInfo.InvariantCulture);
        if (AbsoluteThreshold is double t && !(t > 0 && double.IsFinite(t)))
            throw new ThresherInputException($"explosion threshold {N(t)}: must be a finite number > 0");
        if (!(GrowthFactor > 1 && double.IsFinite(GrowthFactor)))
            throw new ThresherInputException($"growth factor {N(GrowthFactor)}: must be a finite number > 1");
        if (!(SpikeFactor > 1 && double.IsFinite(SpikeFactor)))
            throw new ThresherInputException($"spike factor {N(SpikeFactor)}: must be a finite number > 1");
        if (!(SigmaFactor > 0 && double.IsFinite(SigmaFactor)))
            throw new ThresherInputException($"sigma factor {N(SigmaFactor)}: must be a finite number > 0");
        if (Window is < 2 or > 10_000)
            throw new ThresherInputException($"explosion window {Window}: must be in 2..10000");
        if (WarmUp < 1 || WarmUp > Window)
            throw new ThresherInputException($"explosion warm-up {WarmUp}: must be in 1..{Window} (the window)");
    }
}
