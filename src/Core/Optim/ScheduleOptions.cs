using System.Globalization;

namespace Thresher.Core.Optim;

/// <summary>How the learning rate moves over a run (PyTorch's lr_scheduler counterparts).</summary>
public enum ScheduleKind
{
    /// <summary>The base rate every step (after the warm-up).</summary>
    Constant,

    /// <summary>CosineAnnealingLR's closed form from the base rate to --min-lr over the steps after the warm-up.</summary>
    Cosine,

    /// <summary>OneCycleLR (cosine annealing, two phases): base/div-factor up to base, then down to base/div/final-div.</summary>
    OneCycle,

    /// <summary>StepLR: the base rate times γ every step-size steps.</summary>
    Step,
}

/// <summary>The learning-rate schedule's settings; each field is used by the kinds named on it (the CLI refuses the others).</summary>
public sealed record ScheduleOptions
{
    public static IReadOnlyList<string> Names { get; } = ["constant", "cosine", "onecycle", "step"];

    /// <summary>Default constant.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleKind.Constant;

    /// <summary>constant, cosine, step: steps of linear warm-up, lr_s = base·(s + 1)/W for s &lt; W, ≥ 0. Default 0.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>cosine: the rate the annealing ends at (η_min), 0 ≤ min-lr ≤ base. Default 0.</summary>
    public double MinLr { get; init; }

    /// <summary>step: steps between decays, ≥ 1. Default 1000.</summary>
    public int StepSize { get; init; } = 1000;

    /// <summary>step: the decay factor γ, finite and &gt; 0. Default 0.1.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>onecycle: the fraction of the steps spent rising, in (0, 1). Default 0.3.</summary>
    public double PctStart { get; init; } = 0.3;

    /// <summary>onecycle: initial rate = base / div-factor, finite and &gt; 0. Default 25.</summary>
    public double DivFactor { get; init; } = 25;

    /// <summary>onecycle: final rate = initial / final-div-factor, finite and &gt; 0. Default 1e4.</summary>
    public double FinalDivFactor { get; init; } = 1e4;

    public static ScheduleKind Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "cosine" => ScheduleKind.Cosine,
        "onecycle" => ScheduleKind.OneCycle,
        "step" => ScheduleKind.Step,
        _ => throw new ThresherInputException($"lr-schedule '{text}': unknown; expected one of {string.Join(", ", Names)}"),
    };

    public static string Name(ScheduleKind kind) => Names[(int)kind];

    /// <summary>Throws <see cref="ThresherInputException"/> naming the bad value and the accepted range (base: the run's learning rate).</summary>
    public void Validate(float baseLearningRate)
    {
        Require(WarmupSteps >= 0, $"warmup-steps {WarmupSteps}: must be ≥ 0");
        Require(Kind != ScheduleKind.OneCycle || WarmupSteps == 0, $"warmup-steps {WarmupSteps}: onecycle warms up by itself (--pct-start); use 0");
        Require(MinLr >= 0 && MinLr <= LearningRates.Exact(baseLearningRate), $"min-lr {Num(MinLr)}: must be in [0, lr = {Num(LearningRates.Exact(baseLearningRate))}]");
        Require(StepSize >= 1, $"step-size {StepSize}: must be ≥ 1");
        Require(Gamma > 0 && double.IsFinite(Gamma), $"gamma {Num(Gamma)}: must be a finite number > 0");
        Require(PctStart > 0 && PctStart < 1, $"pct-start {Num(PctStart)}: must be in (0, 1)");
        Require(DivFactor > 0 && double.IsFinite(DivFactor), $"div-factor {Num(DivFactor)}: must be a finite number > 0");
        Require(FinalDivFactor > 0 && double.IsFinite(FinalDivFactor), $"final-div-factor {Num(FinalDivFactor)}: must be a finite number > 0");
    }

    public override string ToString() => Kind switch
    {
        ScheduleKind.Cosine => string.Create(CultureInfo.InvariantCulture, $"cosine warmup={WarmupSteps} min-lr={MinLr}"),
        ScheduleKind.OneCycle => string.Create(CultureInfo.InvariantCulture, $"onecycle pct-start={PctStart} div={DivFactor} final-div={FinalDivFactor}"),
        ScheduleKind.Step => string.Create(CultureInfo.InvariantCulture, $"step warmup={WarmupSteps} step-size={StepSize} gamma={Gamma}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"constant warmup={WarmupSteps}"),
    };

    static void Require(bool ok, string message)
    {
        if (!ok) throw new ThresherInputException(message);
    }

    static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);
}
