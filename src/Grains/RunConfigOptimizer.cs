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
            var defaults = OptimizerOptions.For(OptimizerKinds.Parse(OptimizerName(config)));
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
            var defaults = new ScheduleOptions { Kind = ScheduleOptions.Parse(ScheduleName(config)) };
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
            var kind = OptimizerKinds.Parse(OptimizerName(config));
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
            var schedule = ScheduleOptions.Parse(ScheduleName(config));
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

    /// <summary>The config's optimizer name; sgd where none is stored (configs from before optimizers existed).</summary>
    static string OptimizerName(RunConfig config) => string.IsNullOrEmpty(config.Optimizer) ? "sgd" : config.Optimizer;

    /// <summary>The config's schedule name; constant where none is stored.</summary>
    static string ScheduleName(RunConfig config) => string.IsNullOrEmpty(config.LrSchedule) ? "constant" : config.LrSchedule;

    /// <summary>
    /// <paramref name="config"/> with the optimizer and schedule of a recipe: the kinds, and each hyper-parameter that
    /// differs from its kind's default (the others stay null, so they follow the kind).
    /// </summary>
    public static RunConfig WithOptimizer(RunConfig config, OptimizerOptions optimizer, ScheduleOptions schedule)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        var o = OptimizerOptions.For(optimizer.Kind);
        var s = new ScheduleOptions { Kind = schedule.Kind };
        bool adam = optimizer.Kind.IsAdam();
        return config with
        {
            Optimizer = optimizer.Kind.Name(),
            Momentum = adam ? 0f : optimizer.Momentum,
            Dampening = !adam && optimizer.Dampening != o.Dampening ? optimizer.Dampening : null,
            Nesterov = !adam && optimizer.Nesterov,
            Beta1 = adam && optimizer.Beta1 != o.Beta1 ? optimizer.Beta1 : null,
            Beta2 = adam && optimizer.Beta2 != o.Beta2 ? optimizer.Beta2 : null,
            Eps = adam && optimizer.Eps != o.Eps ? optimizer.Eps : null,
            WeightDecay = optimizer.WeightDecay != o.WeightDecay ? optimizer.WeightDecay : null,
            LrSchedule = ScheduleOptions.Name(schedule.Kind),
            WarmupSteps = schedule.WarmupSteps,
            MinLr = schedule.Kind == ScheduleKind.Cosine && schedule.MinLr != s.MinLr ? schedule.MinLr : null,
            StepSize = schedule.Kind == ScheduleKind.Step && schedule.StepSize != s.StepSize ? schedule.StepSize : null,
            Gamma = schedule.Kind == ScheduleKind.Step && schedule.Gamma != s.Gamma ? schedule.Gamma : null,
            PctStart = schedule.Kind == ScheduleKind.OneCycle && schedule.PctStart != s.PctStart ? schedule.PctStart : null,
            DivFactor = schedule.Kind == ScheduleKind.OneCycle && schedule.DivFactor != s.DivFactor ? schedule.DivFactor : null,
            FinalDivFactor = schedule.Kind == ScheduleKind.OneCycle && schedule.FinalDivFactor != s.FinalDivFactor ? schedule.FinalDivFactor : null,
        };
    }

    static void OnlyFor(string option, object? value, string accepted, string actual)
    {
        if (value is null) return;
        string shown = value is IFormattable f ? " " + f.ToString(null, CultureInfo.InvariantCulture) : "";
        throw new ThresherInputException($"{option}{shown}: only for {accepted} {actual}");
    }
}
