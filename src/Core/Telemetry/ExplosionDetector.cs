using System.Globalization;
using MathNet.Numerics.Statistics;

namespace Thresher.Core.Telemetry;

/// <summary>
/// Watches the pre-clip global norm n step by step and flags explosions, at most one alert per step, the first rule
/// that fires in this order:
/// <list type="number">
/// <item>nonfinite: n is NaN or ∞, at once (once per streak: the steps after the first are counted as skipped, not re-alerted);</item>
/// <item>threshold: n above the absolute threshold;</item>
/// <item>growth: n &gt; G × the previous finite norm — from step 1, no history needed (the early warning);</item>
/// <item>spike, once <see cref="ExplosionDetectorOptions.WarmUp"/> finite norms are in the window: n &gt; k × their
/// median, or a robust z-score of ln n, (ln n − median) / (1.4826 · MAD) of the window's ln norms, above m.</item>
/// </list>
/// Norms are compared in log space because they grow and shrink by factors; median and MAD are not moved by the
/// spikes the window already holds, as a mean and σ are. Finite norms enter the window after the check, so a spike is
/// judged against what came before it. Every alert's detail names the tensor and the worker that grew most since the
/// previous finite step (<see cref="NormGrowth"/>). Not thread-safe; one instance per run.
/// </summary>
public sealed class ExplosionDetector
{
    /// <summary>MAD × 1.4826 estimates σ of a normal distribution.</summary>
    const double MadToSigma = 1.4826;

    readonly ExplosionDetectorOptions _options;
    readonly IReadOnlyList<string>? _tensorNames;
    readonly double[] _logs;   // ring buffer of ln n of the last Window finite norms
    int _count;
    int _next;
    bool _nonFiniteStreak;
    double _previous = double.NaN;                 // the last finite norm
    IReadOnlyList<double>? _previousTensors, _previousWorkers; // and its parts

    /// <param name="tensorNames">Names of the tensors, layout order, for the alerts' details (default "tensor k").</param>
    public ExplosionDetector(ExplosionDetectorOptions? options = null, IReadOnlyList<string>? tensorNames = null)
    {
        _options = options ?? new ExplosionDetectorOptions();
        _options.Validate();
        _tensorNames = tensorNames;
        _logs = new double[_options.Window];
    }

    /// <summary>Finite norms seen so far (capped at the window).</summary>
    public int Observed => _count;

    /// <summary>
    /// Checks step <paramref name="step"/>'s norm; returns the alert it raises, or null. <paramref name="tensorNorms"/>
    /// (layout order) and <paramref name="workerNorms"/> (worker order, NaN where unmeasured) are optional; with them
    /// the alert names what grew most.
    /// </summary>
    public ExplosionAlert? Observe(long step, double globalNorm, IReadOnlyList<double>? tensorNorms = null, IReadOnlyList<double>? workerNorms = null)
    {
        if (!double.IsFinite(globalNorm))
        {
            if (_nonFiniteStreak) return null;
            _nonFiniteStreak = true;
            return new ExplosionAlert(step, ExplosionReason.NonFinite, globalNorm, _previous,
                $"global norm is {F(globalNorm)}" + Parts(tensorNorms, workerNorms));
        }
        _nonFiniteStreak = false;
        var alert = Check(step, globalNorm, tensorNorms, workerNorms);
        Add(globalNorm, tensorNorms, workerNorms);
        return alert;
    }

    ExplosionAlert? Check(long step, double norm, IReadOnlyList<double>? tensors, IReadOnlyList<double>? workers)
    {
        if (_options.AbsoluteThreshold is double threshold && norm > threshold)
            return Alert(step, ExplosionReason.Threshold, norm, threshold, $"global norm {F(norm)} is above the threshold {F(threshold)}", tensors, workers);
        if (_previous > 0 && norm > _options.GrowthFactor * _previous)
            return Alert(step, ExplosionReason.Growth, norm, _previous, $"global norm grew {F(norm / _previous)}× in one step ({F(_previous)} → {F(norm)})", tensors, workers);
        if (_count < _options.WarmUp || !(norm > 0)) return null;
        var window = _logs[.._count]; // a copy: the median reorders it
        double medianLog = ArrayStatistics.MedianInplace(window);
        double median = Math.Exp(medianLog);
        if (norm > _options.SpikeFactor * median)
            return Alert(step, ExplosionReason.Spike, norm, median, $"global norm {F(norm)} is {F(norm / median)}× the rolling median {F(median)}", tensors, workers);
        for (int i = 0; i < window.Length; i++) window[i] = Math.Abs(window[i] - medianLog);
        double sigma = MadToSigma * ArrayStatistics.MedianInplace(window);
        double z = sigma > 0 ? (Math.Log(norm) - medianLog) / sigma : 0;
        if (z > _options.SigmaFactor)
            return Alert(step, ExplosionReason.Spike, norm, median, $"global norm {F(norm)} has a robust z-score of {F(z)} (ln-norm median/MAD) against the rolling median {F(median)}", tensors, workers);
        return null;
    }

    ExplosionAlert Alert(long step, ExplosionReason reason, double norm, double baseline, string what, IReadOnlyList<double>? tensors, IReadOnlyList<double>? workers)
        => new(step, reason, norm, baseline, what + Parts(tensors, workers));

    string Parts(IReadOnlyList<double>? tensors, IReadOnlyList<double>? workers)
        => NormGrowth.Describe(tensors, _previousTensors, _tensorNames, workers, _previousWorkers);

    void Add(double norm, IReadOnlyList<double>? tensors, IReadOnlyList<double>? workers)
    {
        _previous = norm;
        _previousTensors = tensors?.ToArray();
        _previousWorkers = workers?.ToArray();
        if (!(norm > 0)) return; // ln 0: a zero gradient tells the window nothing
        _logs[_next] = Math.Log(norm);
        _next = (_next + 1) % _logs.Length;
        if (_count < _logs.Length) _count++;
    }

    static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
