using System.ComponentModel;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Core.Optim;

namespace Thresher.Client.Commands;

/// <summary>
/// The run options of the optimizer and the learning-rate schedule. Unset ones take the preset's value when the preset
/// uses the same optimizer (schedule), else PyTorch's default for the one given; an option of another optimizer or
/// schedule (--beta1 with sgd, --pct-start without onecycle) is refused by the run's validation.
/// </summary>
public partial class RunSettings
{
    [CommandOption("--optimizer <NAME>")]
    [Description("sgd, adam or adamw (PyTorch's torch.optim semantics). Default: the preset's (sgd; fast: adamw).")]
    public string? Optimizer { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("Base (peak) learning rate (> 0). Default: the preset's (0.1), or the optimizer's when --optimizer differs from the preset's (sgd 0.1, adam/adamw 1e-3).")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? LearningRate { get; init; }

    [CommandOption("--momentum <M>")]
    [Description("sgd: momentum in [[0, 1). Default 0.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? Momentum { get; init; }

    [CommandOption("--dampening <D>")]
    [Description("sgd: dampening of the momentum in [[0, 1]]. Default 0.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? Dampening { get; init; }

    [CommandOption("--nesterov")]
    [Description("sgd: Nesterov momentum (needs --momentum > 0 and dampening 0).")]
    public bool Nesterov { get; init; }

    [CommandOption("--beta1 <B>")]
    [Description("adam/adamw: β1 in [[0, 1). Default 0.9.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? Beta1 { get; init; }

    [CommandOption("--beta2 <B>")]
    [Description("adam/adamw: β2 in [[0, 1). Default 0.999.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? Beta2 { get; init; }

    [CommandOption("--eps <E>")]
    [Description("adam/adamw: ε (> 0) added after the square root. Default 1e-8.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? Eps { get; init; }

    [CommandOption("--weight-decay <WD>")]
    [Description("Weight decay ≥ 0: L2 added to the gradient (sgd, adam) or decoupled θ·(1 − lr·wd) (adamw). Default 0; adamw 0.01.")]
    [TypeConverter(typeof(FloatOptionConverter))]
    public float? WeightDecay { get; init; }

    [CommandOption("--lr-schedule <NAME>")]
    [Description("constant, cosine (to --min-lr), onecycle (PyTorch's OneCycleLR) or step (×--gamma every --step-size steps). Default: the preset's (constant; fast: onecycle).")]
    public string? LrSchedule { get; init; }

    [CommandOption("--warmup-steps <N>")]
    [Description("constant, cosine, step: linear warm-up over the first N steps (≥ 0), lr·(s + 1)/N. Default 0.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? WarmupSteps { get; init; }

    [CommandOption("--min-lr <RATE>")]
    [Description("cosine: the rate it anneals to, in [[0, lr]]. Default 0.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? MinLr { get; init; }

    [CommandOption("--step-size <N>")]
    [Description("step: steps between decays (≥ 1). Default 1000.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? StepSize { get; init; }

    [CommandOption("--gamma <G>")]
    [Description("step: the decay factor (> 0). Default 0.1.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? Gamma { get; init; }

    [CommandOption("--pct-start <P>")]
    [Description("onecycle: fraction of the steps spent rising, in (0, 1). Default 0.3.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? PctStart { get; init; }

    [CommandOption("--div-factor <D>")]
    [Description("onecycle: the first step's rate is lr / D (> 0). Default 25.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? DivFactor { get; init; }

    [CommandOption("--final-div-factor <D>")]
    [Description("onecycle: the last rate is lr / div-factor / D (> 0). Default 1e4.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? FinalDivFactor { get; init; }

    [CommandOption("--save-optimizer")]
    [Description("With --save: also write the optimizer's state (momentum buffer or Adam's moments, and its step count), so --init-from resumes it.")]
    public bool SaveOptimizer { get; init; }

    /// <summary>
    /// The preset's config <paramref name="p"/> with the optimizer and schedule options given. Another optimizer than
    /// the preset's starts from its own defaults (the preset's hyper-parameters and learning rate are the old one's);
    /// another schedule likewise.
    /// </summary>
    RunConfig WithOptimizerOptions(RunConfig p)
    {
        var kind = Optimizer is null ? (OptimizerKind?)null : OptimizerKinds.Parse(Optimizer);
        if (kind is { } k && k.Name() != (p.Optimizer ?? "sgd"))
            p = p with
            {
                Optimizer = k.Name(), LearningRate = OptimizerOptions.For(k).DefaultLearningRate, Momentum = 0,
                Dampening = null, Nesterov = false, Beta1 = null, Beta2 = null, Eps = null, WeightDecay = null,
            };
        var schedule = LrSchedule is null ? (ScheduleKind?)null : ScheduleOptions.Parse(LrSchedule);
        if (schedule is { } s && ScheduleOptions.Name(s) != (p.LrSchedule ?? "constant"))
            p = p with
            {
                LrSchedule = ScheduleOptions.Name(s), WarmupSteps = 0, MinLr = null, StepSize = null, Gamma = null,
                PctStart = null, DivFactor = null, FinalDivFactor = null,
            };
        return p with
        {
            LearningRate = LearningRate ?? p.LearningRate,
            Momentum = Momentum ?? p.Momentum,
            Dampening = Dampening ?? p.Dampening,
            Nesterov = Nesterov || p.Nesterov,
            Beta1 = Beta1 ?? p.Beta1,
            Beta2 = Beta2 ?? p.Beta2,
            Eps = Eps ?? p.Eps,
            WeightDecay = WeightDecay ?? p.WeightDecay,
            WarmupSteps = WarmupSteps ?? p.WarmupSteps,
            MinLr = MinLr ?? p.MinLr,
            StepSize = StepSize ?? p.StepSize,
            Gamma = Gamma ?? p.Gamma,
            PctStart = PctStart ?? p.PctStart,
            DivFactor = DivFactor ?? p.DivFactor,
            FinalDivFactor = FinalDivFactor ?? p.FinalDivFactor,
        };
    }
}
