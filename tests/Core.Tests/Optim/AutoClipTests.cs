using Thresher.Core.Optim.Clipping;

namespace Thresher.Core.Tests.Optim;

/// <summary>AutoClip against the reference code (pseeth/autoclip: append, then np.percentile, linear) in hand-computed numbers.</summary>
public sealed class AutoClipTests
{
    static Thresher.Core.Training.ClipDecision Step(AutoClip policy, double norm)
    {
        var decision = policy.Decide([norm], norm);
        policy.Commit(decision);
        return decision;
    }

    static double NumpyPercentile(double[] values, double p) => AutoClip.Percentile(k => values.Order().ElementAt(k), values.Length, p);

    [Theory]
    [InlineData(10, 1.4)]   // h = 4·0.1 = 0.4: 1 + (2 − 1)·0.4
    [InlineData(50, 3.0)]
    [InlineData(75, 4.0)]
    [InlineData(90, 4.6)]   // γ = 0.6 ≥ 0.5: numpy's b − (b − a)·(1 − γ) = 5 − 0.4
    [InlineData(0, 1.0)]
    [InlineData(100, 5.0)]
    public void Percentile_is_numpys_linear_method(double p, double expected)
        => Assert.Equal(expected, NumpyPercentile([5, 1, 4, 2, 3], p), 14);

    [Fact]
    public void Percentile_of_one_value_is_that_value()
        => Assert.Equal(7.0, NumpyPercentile([7], 10));

    [Fact]
    public void The_current_norm_is_in_the_history_it_is_judged_against()
    {
        var autoclip = new AutoClip(percentile: 10, history: null);
        var first = Step(autoclip, 7);
        Assert.Equal(7.0, first.Threshold); // the history is [7]: never clipped
        Assert.Equal(1f, first.Scale);
        var spike = Step(autoclip, 100);
        double t = 7 + (100 - 7) * 0.1;     // [7, 100], h = 0.1
        Assert.Equal(t, spike.Threshold, 12);
        Assert.Equal(t, spike.ClippedNorm, 12);
        Assert.Equal((float)(t / 100), spike.Scale);
        Assert.Equal(2, autoclip.Count);
    }

    [Fact]
    public void A_bounded_history_keeps_the_newest_norms_current_included()
    {
        var autoclip = new AutoClip(percentile: 10, history: 2);
        Step(autoclip, 7);
        Step(autoclip, 100);
        var d = Step(autoclip, 1);          // window [100, 1]: 7 has left
        Assert.Equal(1 + (100 - 1) * 0.1, d.Threshold, 12);
        Assert.Equal(2, autoclip.Count);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_non_finite_norm_never_joins_the_history(double bad)
    {
        var autoclip = new AutoClip(percentile: 50, history: null);
        var empty = Step(autoclip, bad);
        Assert.Equal(double.PositiveInfinity, empty.Threshold);
        Step(autoclip, 2);
        Step(autoclip, 4);
        var before = autoclip.SaveState();
        var d = Step(autoclip, bad);
        Assert.False(d.Finite);
        Assert.Equal(3.0, d.Threshold);     // the median of [2, 4]: the history as it is
        Assert.Equal(before, autoclip.SaveState());
        Assert.Equal(2, autoclip.Count);
    }

    [Fact]
    public void Zero_norms_clip_to_zero_without_NaN()
    {
        var autoclip = new AutoClip(percentile: 0, history: null);
        Assert.Equal(1f, Step(autoclip, 0).Scale); // threshold 0, norm 0: no clip, not 0/0
        var d = Step(autoclip, 5);                  // min of [0, 5] = 0
        Assert.Equal(0.0, d.Threshold);
        Assert.Equal(0f, d.Scale);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(37)]
    public void Long_runs_match_sorting_the_window_at_every_step(int? history)
    {
        var rng = new Random(5);
        var autoclip = new AutoClip(percentile: 10, history);
        var seen = new List<double>();
        for (int step = 0; step < 600; step++)
        {
            double norm = step % 7 == 3 ? seen.Count > 0 ? seen[rng.Next(seen.Count)] : 1 : Math.Exp(rng.NextDouble() * 4); // repeats too
            seen.Add(norm);
            var window = history is int h ? seen.TakeLast(h).ToArray() : [.. seen];
            Assert.Equal(NumpyPercentile(window, 10), Step(autoclip, norm).Threshold);
        }
    }

    [Fact]
    public void A_restored_history_decides_alike_and_Decide_changes_nothing()
    {
        var autoclip = new AutoClip(percentile: 30, history: 4);
        foreach (double n in new[] { 3.0, 9.0, 1.0, 4.0, 4.0, 8.0 }) Step(autoclip, n);
        var state = autoclip.SaveState();
        var restored = new AutoClip(percentile: 30, history: 4);
        restored.RestoreState(state);
        Assert.Equal(autoclip.Decide([2], 2).Threshold, restored.Decide([2], 2).Threshold);
        Assert.Equal(state, autoclip.SaveState());
        Step(autoclip, 6);
        Step(restored, 6);
        Assert.Equal(autoclip.SaveState(), restored.SaveState());
        Assert.Equal(autoclip.Decide([5], 5).Threshold, restored.Decide([5], 5).Threshold);
    }
}
