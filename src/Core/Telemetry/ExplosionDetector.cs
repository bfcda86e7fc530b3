using System.Globalization;
using MathNet.Numerics.Statistics;

namespace Thresher.Core.Telemetry;

/// <summary>Why an alert fired.</summary>
public enum ExplosionReason
{
    NonFinite,
    Threshold,
    Spike,
}

/// <summary>One alert: the step, the rule, the norm and what it was compared with.</summary>
public sealed record ExplosionAlert(long Step, ExplosionReason Reason, double Value, double Baseline, string Detail)
{
    /// <summary>nonfinite, threshold or spike (the telemetry attribute value).</summary>
    public string ReasonName => Reason switch
    {
        ExplosionReason.NonFinite => "nonfinite",
        ExplosionReason.Threshold => "threshold",
        _ => "spike",
    };
}

/// <summary>
/// Watches the pre-clip global norm step by step and flags explosions: a non-finite norm at once (once per
/// streak of non-finite steps: the steps after the first are counted as skipped, not re-alerted); a norm
/// above the absolute threshold; after warm-up, a norm above k × the rolling median or above mean + m·σ of
/// the rolling window (MathNet's MovingStatistics and median). Finite norms enter the window after the check,
/// so a spike is judged against what came before it. One alert per step at most, the first rule that fires
/// in that order. Not thread-safe; one instance per run.
/// </summary>
public sealed class ExplosionDetector
{
    readonly ExplosionDetectorOptions _options;
    readonly MovingStatistics _moving;
    readonly double[] _window;   // ring buffer of the last Window finite norms
    int _count;
    int _next;
    bool _nonFiniteStreak;

    public ExplosionDetector(ExplosionDetectorOptions? options = null)
    {
        _options = options ?? new ExplosionDetectorOptions();
        _options.Validate();
        _moving = new MovingStatistics(_options.Window);
        _window = new double[_options.Window];
    }

    /// <summary>Finite norms seen so far (capped at the window).</summary>
    public int Observed => _count;

    /// <summary>Checks step <paramref name="step"/>'s norm; returns the alert it raises, or null.</summary>
    public ExplosionAlert? Observe(long step, double globalNorm)
    {
        if (!double.IsFinite(globalNorm))
        {
            if (_nonFiniteStreak) return null;
            _nonFiniteStreak = true;
            return new ExplosionAlert(step, ExplosionReason.NonFinite, globalNorm, double.NaN, $"global norm is {F(globalNorm)}");
        }
        _nonFiniteStreak = false;
        var alert = Check(step, globalNorm);
        Add(globalNorm);
        return alert;
    }

    ExplosionAlert? Check(long step, double norm)
    {
        if (_options.AbsoluteThreshold is double threshold && norm > threshold)
            return new ExplosionAlert(step, ExplosionReason.Threshold, norm, threshold, $"global norm {F(norm)} is above the threshold {F(threshold)}");
        if (_count < _options.WarmUp) return null;
        double median = ArrayStatistics.MedianInplace(_window[.._count]); // a copy: the median reorders it
        if (median > 0 && norm > _options.SpikeFactor * median)
            return new ExplosionAlert(step, ExplosionReason.Spike, norm, median, $"global norm {F(norm)} is {F(norm / median)}× the rolling median {F(median)}");
        double mean = _moving.Mean, sigma = _moving.StandardDeviation;
        if (sigma > 0 && norm > mean + _options.SigmaFactor * sigma)
            return new ExplosionAlert(step, ExplosionReason.Spike, norm, mean, $"global norm {F(norm)} is {F((norm - mean) / sigma)}σ above the rolling mean {F(mean)}");
        return null;
    }

    void Add(double norm)
    {
        _moving.Push(norm);
        _window[_next] = norm;
        _next = (_next + 1) % _window.Length;
        if (_count < _window.Length) _count++;
    }

    static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
