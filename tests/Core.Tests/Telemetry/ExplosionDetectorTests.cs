using Thresher.Core.Telemetry;

namespace Thresher.Core.Tests.Telemetry;

public sealed class ExplosionDetectorTests
{
    static List<ExplosionAlert> Feed(ExplosionDetector detector, IEnumerable<double> norms)
    {
        var alerts = new List<ExplosionAlert>();
        long step = 0;
        foreach (double norm in norms)
            if (detector.Observe(step++, norm) is { } alert) alerts.Add(alert);
        return alerts;
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_norm_alerts_at_once_even_during_warm_up(double norm)
    {
        var alert = new ExplosionDetector().Observe(0, norm);
        Assert.NotNull(alert);
        Assert.Equal(ExplosionReason.NonFinite, alert.Reason);
        Assert.Equal("nonfinite", alert.ReasonName);
    }

    [Fact]
    public void A_streak_of_non_finite_norms_alerts_once_and_again_after_recovery()
    {
        var alerts = Feed(new ExplosionDetector(), [1, double.NaN, double.NaN, double.PositiveInfinity, 1, double.NaN]);
        Assert.Equal([1L, 5L], alerts.Select(a => a.Step));
        Assert.All(alerts, a => Assert.Equal(ExplosionReason.NonFinite, a.Reason));
    }

    [Fact]
    public void The_absolute_threshold_fires_from_the_first_step()
    {
        var detector = new ExplosionDetector(new() { AbsoluteThreshold = 100 });
        Assert.Null(detector.Observe(0, 99));
        var alert = detector.Observe(1, 101);
        Assert.Equal(ExplosionReason.Threshold, alert?.Reason);
        Assert.Equal(100, alert?.Baseline);
    }

    [Fact]
    public void A_spike_over_the_rolling_median_fires_after_warm_up_only()
    {
        var options = new ExplosionDetectorOptions { WarmUp = 5, Window = 20, GrowthFactor = 1000 };
        // During warm-up a 100× jump is not judged by the window rules (the growth rule is set out of reach here).
        Assert.Empty(Feed(new ExplosionDetector(options), [1.0, 1.1, 100.0]));

        var detector = new ExplosionDetector(options);
        var alerts = Feed(detector, [1.0, 1.2, 0.9, 1.1, 1.0, 1.05, 25.0]);
        var alert = Assert.Single(alerts);
        Assert.Equal(ExplosionReason.Spike, alert.Reason);
        Assert.Equal(6, alert.Step);
        Assert.Equal(Math.Sqrt(1.0 * 1.05), alert.Baseline, 10); // median of the six norms before it, in ln: the geometric mean of 1.0 and 1.05
        Assert.Contains("rolling median", alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_robust_z_score_fires_below_k_times_the_median_and_ignores_earlier_spikes()
    {
        var detector = new ExplosionDetector(new() { WarmUp = 10, Window = 50, SpikeFactor = 10, SigmaFactor = 6 });
        // Norms 1.00..1.02 (ln spread ~0.01), one earlier 4× outlier that a mean and σ would have been widened by, then 2×.
        var norms = Enumerable.Range(0, 30).Select(i => 1.0 + 0.01 * (i % 3)).Append(4.0).Concat(Enumerable.Repeat(1.01, 5)).Append(2.0).ToArray();
        var alerts = Feed(detector, norms);
        Assert.Equal([30L, 36L], alerts.Select(a => a.Step));
        Assert.Contains("robust z-score", alerts[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_growth_rule_fires_from_step_1_without_history()
    {
        var detector = new ExplosionDetector();
        Assert.Null(detector.Observe(0, 257));
        var alert = detector.Observe(1, 2605);
        Assert.Equal(ExplosionReason.Growth, alert?.Reason);
        Assert.Equal("growth", alert?.ReasonName);
        Assert.Equal(257, alert!.Baseline);
        Assert.StartsWith("global norm grew 10.14× in one step (257 → 2605)", alert.Detail, StringComparison.Ordinal);
        Assert.Null(detector.Observe(2, 2605 * 4.9)); // below G = 5
    }

    [Fact]
    public void An_alert_names_the_tensor_and_the_worker_that_grew_most()
    {
        var detector = new ExplosionDetector(tensorNames: ["w1", "b1", "w2"]);
        Assert.Null(detector.Observe(0, 10, [6, 1, 8], [5, 5]));
        var alert = detector.Observe(1, 100, [12, 2, 99], [5.5, 99]);
        Assert.NotNull(alert);
        Assert.Contains("w2 grew most (12.4×: 8 → 99)", alert.Detail, StringComparison.Ordinal);
        Assert.Contains("worker 1 grew most (19.8×: 5 → 99)", alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_finite_alert_names_the_first_non_finite_tensor_and_worker()
    {
        var detector = new ExplosionDetector(tensorNames: ["w1", "b1"]);
        detector.Observe(0, 1, [1, 1], [1, 1]);
        var alert = detector.Observe(1, double.NaN, [1, double.PositiveInfinity], [1, double.NaN]);
        Assert.Equal(ExplosionReason.NonFinite, alert?.Reason);
        Assert.Contains("b1 is Infinity", alert!.Detail, StringComparison.Ordinal);
        Assert.Contains("worker 1 is NaN", alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_smooth_decreasing_series_never_fires()
    {
        var detector = new ExplosionDetector(new() { AbsoluteThreshold = 1000 });
        var norms = Enumerable.Range(0, 2000).Select(i => 50 * Math.Exp(-i / 300.0) + 0.5 + 0.05 * Math.Sin(i));
        Assert.Empty(Feed(detector, norms));
    }

    [Fact]
    public void The_tutorial_explosion_raises_alerts_from_step_1_and_as_it_grows_before_the_first_nan()
    {
        // The unclipped tutorial's global norms as Thresher measures them (seed 1234, steps 0..8).
        var alerts = Feed(new ExplosionDetector(), [257.3, 2604.5, 810.2, 5648.8, 1348.6, 103810, 8437437, 2.256e18, double.NaN]);
        Assert.Equal([1L, 3L, 5L, 6L, 7L, 8L], alerts.Select(a => a.Step));
        Assert.All(alerts.SkipLast(1), a => Assert.Equal(ExplosionReason.Growth, a.Reason));
        Assert.Equal(ExplosionReason.NonFinite, alerts[^1].Reason);
    }

    [Theory]
    [InlineData(0.0, 10, 6, 50, 10, "explosion threshold 0")]
    [InlineData(null, 1.0, 6, 50, 10, "spike factor 1")]
    [InlineData(null, 10, 0.0, 50, 10, "sigma factor 0")]
    [InlineData(null, 10, 6, 1, 1, "explosion window 1")]
    [InlineData(null, 10, 6, 50, 51, "explosion warm-up 51")]
    [InlineData(null, 10, 6, 50, 3, "growth factor 1", 1.0)]
    public void Bad_options_are_rejected_naming_the_value(double? threshold, double k, double m, int window, int warmUp, string message, double growth = 5)
    {
        var options = new ExplosionDetectorOptions { AbsoluteThreshold = threshold, SpikeFactor = k, SigmaFactor = m, Window = window, WarmUp = warmUp, GrowthFactor = growth };
        var e = Assert.Throws<ThresherInputException>(() => new ExplosionDetector(options));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
