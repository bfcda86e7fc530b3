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
        var options = new ExplosionDetectorOptions { WarmUp = 5, Window = 20 };
        // During warm-up a 100× jump is not judged: there is no baseline yet.
        Assert.Empty(Feed(new ExplosionDetector(options), [1.0, 1.1, 100.0]));

        var detector = new ExplosionDetector(options);
        var alerts = Feed(detector, [1.0, 1.2, 0.9, 1.1, 1.0, 1.05, 25.0]);
        var alert = Assert.Single(alerts);
        Assert.Equal(ExplosionReason.Spike, alert.Reason);
        Assert.Equal(6, alert.Step);
        Assert.Equal(1.025, alert.Baseline, 10); // median of the six norms before it: (1.0 + 1.05) / 2
        Assert.Contains("rolling median", alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rise_beyond_m_sigma_fires_even_below_k_times_the_median()
    {
        var detector = new ExplosionDetector(new() { WarmUp = 10, Window = 50, SpikeFactor = 10, SigmaFactor = 6 });
        var norms = Enumerable.Range(0, 30).Select(i => 1.0 + 0.01 * (i % 3)).Append(2.0).ToArray();
        var alert = Assert.Single(Feed(detector, norms));
        Assert.Equal(30, alert.Step);
        Assert.Contains("σ above the rolling mean", alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_smooth_decreasing_series_never_fires()
    {
        var detector = new ExplosionDetector(new() { AbsoluteThreshold = 1000 });
        var norms = Enumerable.Range(0, 2000).Select(i => 50 * Math.Exp(-i / 300.0) + 0.5 + 0.05 * Math.Sin(i));
        Assert.Empty(Feed(detector, norms));
    }

    [Fact]
    public void The_tutorial_explosion_raises_alerts()
    {
        // Global norms of the unclipped tutorial's first steps (as a libtorch run of it measured them): ~10² then 10³, 10¹⁰, then NaN.
        var alerts = Feed(new ExplosionDetector(new() { WarmUp = 1 }), [153, 2062, 800, 5600, 1348, 1.5e10, double.NaN]);
        Assert.Contains(alerts, a => a.Reason == ExplosionReason.Spike && a.Step == 1);
        Assert.Contains(alerts, a => a.Reason == ExplosionReason.Spike && a.Step == 5);
        Assert.Contains(alerts, a => a.Reason == ExplosionReason.NonFinite && a.Step == 6);
    }

    [Theory]
    [InlineData(0.0, 10, 6, 50, 10, "explosion threshold 0")]
    [InlineData(null, 1.0, 6, 50, 10, "spike factor 1")]
    [InlineData(null, 10, 0.0, 50, 10, "sigma factor 0")]
    [InlineData(null, 10, 6, 1, 1, "explosion window 1")]
    [InlineData(null, 10, 6, 50, 51, "explosion warm-up 51")]
    public void Bad_options_are_rejected_naming_the_value(double? threshold, double k, double m, int window, int warmUp, string message)
    {
        var options = new ExplosionDetectorOptions { AbsoluteThreshold = threshold, SpikeFactor = k, SigmaFactor = m, Window = window, WarmUp = warmUp };
        var e = Assert.Throws<ThresherInputException>(() => new ExplosionDetector(options));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
