using Thresher.Core.Optim;

namespace Thresher.Core.Tests.Optim;

/// <summary>
/// Each schedule against its closed formula, with numbers worked out by hand, at the boundaries: the first step, the
/// warm-up's end, phase changes, and the last step.
/// </summary>
public sealed class LearningRateScheduleTests
{
    static LearningRateSchedule Of(ScheduleOptions options, float lr, long total) => new(options, lr, total);

    [Fact]
    public void Constant_with_warm_up_rises_linearly_to_the_base_rate_at_step_W_minus_1()
    {
        var s = Of(new ScheduleOptions { WarmupSteps = 4 }, 0.1f, 10);
        Assert.Equal([0.025, 0.05, 0.075, 0.1, 0.1, 0.1], [.. Enumerable.Range(0, 6).Select(i => s.At(i))], new Tolerance(1e-15));
        Assert.Equal(0.1, s.At(9), 15);
        Assert.Equal(0.1, Of(new ScheduleOptions(), 0.1f, 10).At(0), 15); // the float 0.1f is scheduled as 0.1
    }

    [Fact]
    public void Cosine_is_CosineAnnealingLR_over_the_steps_after_the_warm_up()
    {
        // T = 12, W = 2 → T' = 10; η = 0.1, η_min = 0.001: η_t = η_min + (η − η_min)(1 + cos(πt/10))/2.
        var s = Of(new ScheduleOptions { Kind = ScheduleKind.Cosine, WarmupSteps = 2, MinLr = 0.001 }, 0.1f, 12);
        Assert.Equal(0.05, s.At(0), 15);
        Assert.Equal(0.1, s.At(1), 15);                    // warm-up's end
        Assert.Equal(0.1, s.At(2), 15);                    // t = 0: cos 0 = 1
        Assert.Equal(0.0505, s.At(7), 15);                 // t = 5: halfway, (η + η_min)/2
        Assert.Equal(0.001 + 0.099 * (1 + Math.Cos(Math.PI * 0.9)) / 2, s.At(11), 15); // last step, t = 9: 0.0034227…
        Assert.Equal(0.0034227, s.At(11), 7);
    }

    [Fact]
    public void Step_is_StepLR_after_the_warm_up()
    {
        var s = Of(new ScheduleOptions { Kind = ScheduleKind.Step, WarmupSteps = 1, StepSize = 3, Gamma = 0.5 }, 0.2f, 10);
        Assert.Equal([0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05], [.. Enumerable.Range(0, 10).Select(i => s.At(i))], new Tolerance(1e-15));
    }

    [Fact]
    public void OneCycle_follows_OneCycleLR_with_cosine_annealing_in_two_phases()
    {
        // T = 100, η = 0.01, pct 0.3, div 25, final div 1e4: η₀ = 4e-4, η_end = 4e-8, phase 1 ends at 0.3·100 − 1 = 29.
        var s = Of(new ScheduleOptions { Kind = ScheduleKind.OneCycle }, 0.01f, 100);
        Assert.Equal(4e-4, s.At(0), 15);
        Assert.Equal(4e-4 + (0.01 - 4e-4) * (1 - Math.Cos(Math.PI * 10 / 29)) / 2, s.At(10), 15);
        Assert.Equal(0.01, s.At(29), 15);                                  // the peak
        Assert.Equal(4e-8 + (0.01 - 4e-8) * (1 + Math.Cos(Math.PI / 70)) / 2, s.At(30), 15);
        Assert.Equal((0.01 + 4e-8) / 2, s.At(64), 15);                     // halfway down: (64 − 29)/(99 − 29) = 0.5
        Assert.Equal(4e-8, s.At(99), 15);                                  // the last step
    }

    [Fact]
    public void OneCycle_with_an_empty_first_phase_starts_at_the_peak_where_PyTorch_would_divide_0_by_0()
    {
        var s = Of(new ScheduleOptions { Kind = ScheduleKind.OneCycle, PctStart = 0.1 }, 0.01f, 10); // phase 1 ends at step 0
        Assert.Equal(0.01, s.At(0), 15);
        Assert.Equal(4e-8, s.At(9), 15);
        Assert.Equal(4e-8, Of(new ScheduleOptions { Kind = ScheduleKind.OneCycle }, 0.01f, 1).At(0), 15);
    }

    [Theory]
    [InlineData("warmup", "warmup-steps -1: must be ≥ 0")]
    [InlineData("min", "min-lr 0.5: must be in [0, lr = 0.1]")]
    [InlineData("stepsize", "step-size 0: must be ≥ 1")]
    [InlineData("gamma", "gamma NaN: must be a finite number > 0")]
    [InlineData("pct", "pct-start 1: must be in (0, 1)")]
    [InlineData("div", "div-factor -2: must be a finite number > 0")]
    [InlineData("onecycle-warmup", "warmup-steps 5: onecycle warms up by itself")]
    public void Bad_settings_are_refused_naming_the_value_and_the_range(string which, string message)
    {
        var options = which switch
        {
            "warmup" => new ScheduleOptions { WarmupSteps = -1 },
            "min" => new ScheduleOptions { Kind = ScheduleKind.Cosine, MinLr = 0.5 },
            "stepsize" => new ScheduleOptions { StepSize = 0 },
            "gamma" => new ScheduleOptions { Gamma = double.NaN },
            "pct" => new ScheduleOptions { PctStart = 1 },
            "div" => new ScheduleOptions { DivFactor = -2 },
            _ => new ScheduleOptions { Kind = ScheduleKind.OneCycle, WarmupSteps = 5 },
        };
        var e = Assert.Throws<ThresherInputException>(() => options.Validate(0.1f));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
