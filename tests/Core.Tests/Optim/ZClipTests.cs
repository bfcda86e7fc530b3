using Thresher.Core.Optim.Clipping;

namespace Thresher.Core.Tests.Optim;

/// <summary>ZClip against the reference code's formulas (bluorion-com/ZClip, zscore + adaptive_scaling), written out in double.</summary>
public sealed class ZClipTests
{
    const double Eps = 1e-6;

    static Thresher.Core.Training.ClipDecision Step(ZClip policy, double norm)
    {
        var decision = policy.Decide([norm], norm);
        policy.Commit(decision);
        return decision;
    }

    [Fact]
    public void Warm_up_collects_norms_without_clipping_then_sets_mean_and_population_variance()
    {
        var zclip = new ZClip(warmup: 3, alpha: 0.5, zThreshold: 2, cap: null);
        foreach (double n in new[] { 1.0, 2.0, 3.0 })
        {
            var d = Step(zclip, n);
            Assert.Equal(1f, d.Scale);
            Assert.Equal(double.PositiveInfinity, d.Threshold);
        }
        Assert.True(zclip.Initialized);
        Assert.Equal(2.0, zclip.Mean);
        Assert.Equal(2.0 / 3, zclip.Variance, 15);
    }

    [Fact]
    public void A_spike_is_clipped_by_the_reciprocal_rule_and_the_EMAs_take_the_clip_value()
    {
        var zclip = new ZClip(warmup: 3, alpha: 0.5, zThreshold: 2, cap: null);
        foreach (double n in new[] { 1.0, 2.0, 3.0 }) Step(zclip, n);
        double mean = 2, variance = 2.0 / 3, std = Math.Sqrt(variance);

        double z = (10 - mean) / (std + Eps);                       // ≈ 9.8 > 2
        double clip = mean + 2 * std / (z / 2);                     // μ + z_thr·σ / (z / z_thr)
        var d = Step(zclip, 10);
        Assert.Equal(clip, d.Threshold, 14);
        Assert.Equal(clip, d.ClippedNorm, 14);
        Assert.Equal((float)(clip / 10), d.Scale);
        Assert.True(d.Clipped);

        double newMean = 0.5 * mean + 0.5 * clip;                   // μ first …
        double newVariance = 0.5 * variance + 0.5 * (clip - newMean) * (clip - newMean); // … then σ² with the new μ
        Assert.Equal(newMean, zclip.Mean, 14);
        Assert.Equal(newVariance, zclip.Variance, 14);
    }

    [Fact]
    public void A_quiet_step_is_not_clipped_reports_its_trigger_level_and_feeds_its_norm_to_the_EMAs()
    {
        var zclip = new ZClip(warmup: 2, alpha: 0.9, zThreshold: 2.5, cap: null);
        Step(zclip, 4);
        Step(zclip, 6); // μ 5, σ² 1
        var d = Step(zclip, 6.5);
        Assert.Equal(1f, d.Scale);
        Assert.Equal(6.5, d.ClippedNorm);
        Assert.Equal(5 + 2.5 * (1 + Eps), d.Threshold, 14);
        double mean = 0.9 * 5 + 0.1 * 6.5;
        Assert.Equal(mean, zclip.Mean, 14);
        Assert.Equal(0.9 * 1 + 0.1 * (6.5 - mean) * (6.5 - mean), zclip.Variance, 14);
    }

    [Fact]
    public void The_hard_cap_clips_in_warm_up_and_after_but_the_EMAs_see_the_uncapped_norm()
    {
        var zclip = new ZClip(warmup: 2, alpha: 0.9, zThreshold: 2.5, cap: 5f);
        var warm = Step(zclip, 8);
        Assert.Equal(5.0, warm.Threshold);
        Assert.Equal(5f / 8f, warm.Scale);
        Step(zclip, 6); // μ 7, σ² 1
        Assert.Equal(7.0, zclip.Mean);
        var d = Step(zclip, 7.5);
        Assert.Equal(5.0, d.Threshold);
        Assert.Equal((float)(5 / 7.5), d.Scale);
        Assert.Equal(0.9 * 7 + 0.1 * 7.5, zclip.Mean, 14);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_norm_leaves_the_state_alone_in_warm_up_and_after(double bad)
    {
        var zclip = new ZClip(warmup: 2, alpha: 0.9, zThreshold: 2.5, cap: null);
        Step(zclip, 1);
        var before = zclip.SaveState();
        var d = Step(zclip, bad);
        Assert.False(d.Finite);
        Assert.Equal(before, zclip.SaveState());
        Step(zclip, 3); // μ 2, σ² 1
        before = zclip.SaveState();
        Step(zclip, bad);
        Assert.Equal(before, zclip.SaveState());
        Assert.Equal(2.0, zclip.Mean);
    }

    [Fact]
    public void Zero_norms_give_a_zero_variance_and_no_NaN()
    {
        var zclip = new ZClip(warmup: 2, alpha: 0.9, zThreshold: 2.5, cap: null);
        Step(zclip, 0);
        Step(zclip, 0);
        var still = Step(zclip, 0);
        Assert.Equal(1f, still.Scale); // 0 against threshold 0: no clip, not 0/0
        var spike = Step(zclip, 1);    // z = 1/ε: clip value μ + z_thr·0 = 0
        Assert.Equal(0.0, spike.Threshold);
        Assert.Equal(0f, spike.Scale);
        Assert.True(double.IsFinite(zclip.Mean) && double.IsFinite(zclip.Variance));
    }

    [Fact]
    public void Decide_changes_nothing_and_a_restored_state_decides_alike()
    {
        var zclip = new ZClip(warmup: 3, alpha: 0.8, zThreshold: 2, cap: null);
        foreach (double n in new[] { 3.0, 2.0, 4.0, 3.5 }) Step(zclip, n);
        var state = zclip.SaveState();
        var first = zclip.Decide([9], 9);
        Assert.Equal(state, zclip.SaveState());
        var restored = new ZClip(warmup: 3, alpha: 0.8, zThreshold: 2, cap: null);
        restored.RestoreState(state);
        Assert.Equal(first.Threshold, restored.Decide([9], 9).Threshold);
        var inWarmup = new ZClip(warmup: 3, alpha: 0.8, zThreshold: 2, cap: null);
        Step(inWarmup, 5);
        var copy = new ZClip(warmup: 3, alpha: 0.8, zThreshold: 2, cap: null);
        copy.RestoreState(inWarmup.SaveState());
        Step(inWarmup, 6); Step(inWarmup, 7);
        Step(copy, 6); Step(copy, 7);
        Assert.Equal(inWarmup.SaveState(), copy.SaveState());
        Assert.Equal(6.0, copy.Mean);
    }
}
