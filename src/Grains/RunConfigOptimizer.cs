using System.Globalization;
using Thresher.Abstractions;
using Thresher.Core.Optim;

namespace Thresher.Grains;

/// <summary>
/// A <see cref="RunConfig"/>'s optimizer and learning-rate schedule in Core's terms: null hyper-parameters take the
/// optimizer's or schedule's default (PyTorch's), and one set for another optimizer or schedule is refused, naming it.
/// </summary>
public static class RunConfigOptimizer
{
    extension(RunConfig config)
    {
        /// <summary>The optimizer's options; throws <see cref="ThresherInputException"/> on an unknown name.</summary>
        public OptimizerOptions ToOptimizerOptions()
        {
            var defaults = OptimizerOptions.For(OptimizerKinds.Parse(config.Optimizer ?? "sgd"));
            return defaults with
            {
                Momentum = config.Momentum,
                Dampening = config.Dampening ?? defaults.Dampening,
                Nesterov = config.Nesterov,
                Beta1 = config.Beta1 ?? defaults.Beta1,
                Beta2 = config.Beta2 ?? defaults.Beta2,
                Eps = config.Eps ?? defaults.Eps,
                WeightDecay = config.WeightDecay ?? defaults.WeightDecay,
            };
        }

        /// <summary>The schedule's options; throws <see cref="ThresherInputException"/> on an unknown name.</summary>
        public ScheduleOptions ToScheduleOptions()
        {
            var defaults = new ScheduleOptions { Kind = ScheduleOptions.Parse(config.LrSchedule ?? "constant") };
            return defaults with
            {
                WarmupSteps = config.WarmupSteps,
                MinLr = config.MinLr ?? defaults.MinLr,
                StepSize = config.StepSize ?? defaults.StepSize,
                Gamma = config.Gamma ?? defaults.Gamma,
                PctStart = config.PctStart ?? defaults.PctStart,
                DivFactor = config.DivFactor ?? defaults.DivFactor,
                FinalDivFactor = config.FinalDivFactor ?? defaults.FinalDivFactor,
            };
        }

        /// <summary>Throws <see cref="ThresherInputException"/> for a hyper-parameter given without its optimizer or schedule.</summary>
        public void ValidateOptimizerOptions()
        {
            var kind = OptimizerKinds.Parse(config.Optimizer ?? "sgd");
            string optimizer = $"(the optimizer is {kind.Name()})";
            if (kind.IsAdam())
            {
                OnlyFor("momentum", config.Momentum != 0 ? config.Momentum : null, "--optimizer sgd", optimizer);
                OnlyFor("dampening", config.Dampening, "--optimizer sgd", optimizer);
                OnlyFor("nesterov", config.Nesterov ? "" : null, "--optimizer sgd", optimizer);
            }
            else
            {
                OnlyFor("beta1", config.Beta1, "--optimizer adam or adamw", optimizer);
                OnlyFor("beta2", config.Beta2, "--optimizer adam or adamw", optimizer);
                OnlyFor("eps", config.Eps, "--optimizer adam or adamw", optimizer);
            }
            var schedule = ScheduleOptions.Parse(config.LrSchedule ?? "constant");
            string scheduled = $"(the schedule is {ScheduleOptions.Name(schedule)})";
            if (schedule != ScheduleKind.Cosine) OnlyFor("min-lr", config.MinLr, "--lr-schedule cosine", scheduled);
            if (schedule != ScheduleKind.Step)
            {
                OnlyFor("step-size", config.StepSize, "--lr-schedule step", scheduled);
                OnlyFor("gamma", config.Gamma, "--lr-schedule step", scheduled);
            }
            if (schedule != ScheduleKind.OneCycle)
            {
                OnlyFor("pct-start", config.PctStart, "--lr-schedule onecycle", scheduled);
                OnlyFor("div-factor", config.DivFactor, "--lr-schedule onecycle", scheduled);
                OnlyFor("final-div-factor", config.FinalDivFactor, "--lr-schedule onecycle", scheduled);
            }
            else if (config.WarmupSteps != 0)
            {
                OnlyFor("warmup-steps", config.WarmupSteps, "--lr-schedule constant, cosine or step (onecycle warms up by --pct-start)", scheduled);
            }
        }
    }

    static void OnlyFor(string option, object? value, string accepted, string actual)
    {
        if (value is null) return;
        string shown = value is IFormattable f ? " " + f.ToString(null, CultureInfo.InvariantCulture) : "";
        throw new ThresherInputException($"{option}{shown}: only for {accepted} {actual}");
    }
}
