using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;
using Thresher.Core.Wire;

namespace Thresher.Grains;

/// <summary>
/// Builds the wire type <see cref="RunConfig"/> from a Core <see cref="RunRecipe"/>, so a run's defaults come from
/// Core's <see cref="Presets"/> alone (RunConfig itself holds none). The way back is <see cref="RunConfigTraining"/>.
/// </summary>
public static class RunConfigs
{
    /// <summary>The default preset as a run config.</summary>
    public static RunConfig Default { get; } = FromRecipe(Presets.Recipe("default"));

    /// <summary>The preset <paramref name="name"/> as a run config; throws <see cref="ThresherInputException"/> for an unknown one.</summary>
    public static RunConfig FromPreset(string name) => FromRecipe(Presets.Recipe(name));

    public static RunConfig FromRecipe(RunRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var t = recipe.Training;
        var d = recipe.Detector;
        return RunConfigOptimizer.WithOptimizer(new RunConfig
        {
            Dataset = recipe.Dataset,
            Layers = [.. t.Layers.Layers],
            Loss = t.Loss.Name(),
            InputScale = t.InputScale,
            LearningRate = t.LearningRate,
            Batch = t.Batch,
            Workers = recipe.Workers,
            PsShards = recipe.PsShards,
            Wire = recipe.Wire.Name(),
            Epochs = t.Epochs,
            Steps = t.Steps,
            Clip = t.Clip,
            NonFinite = t.NonFinite.Name(),
            Seed = t.Seed,
            Shuffle = t.Shuffle,
            Init = t.Init.Name(),
            EvalEvery = t.EvalEvery,
            ShardMode = recipe.FixedShards ? "fixed" : "batch",
            AlertThreshold = d.AbsoluteThreshold,
            AlertSpikeFactor = d.SpikeFactor,
            AlertSigma = d.SigmaFactor,
            AlertWindow = d.Window,
            AlertWarmUp = d.WarmUp,
            AlertGrowth = d.GrowthFactor,
            OnSpike = SpikeOptions.Name(t.Spike.OnSpike),
            SpikeWindow = t.Spike.Window,
            SpikeSigma = t.Spike.Sigma,
            SpikeMinHistory = t.Spike.MinHistory,
            SpikeSided = t.Spike.TwoSided ? "two" : "one",
            RewindAfter = t.Spike.RewindAfter,
            RewindWindow = t.Spike.RewindWindow,
            RewindSteps = t.Spike.RewindSteps,
            RewindSkipBatches = t.Spike.RewindSkipBatches,
            FaultLimit = t.Spike.FaultLimit,
            Inject = string.Join(',', t.Inject),
            CheckpointEvery = recipe.CheckpointEvery,
            WorkerTimeoutSeconds = recipe.WorkerTimeoutSeconds,
            ClipPolicy = t.ClipPolicy.Kind.Name(),
            ZClipWarmup = t.ClipPolicy.ZClipWarmup,
            ZClipAlpha = t.ClipPolicy.ZClipAlpha,
            ZClipZ = t.ClipPolicy.ZClipZ,
            AutoClipPercentile = t.ClipPolicy.AutoClipPercentile,
            AutoClipHistory = t.ClipPolicy.AutoClipHistory,
            AgcLambda = t.ClipPolicy.AgcLambda,
            AgcIncludeLast = t.ClipPolicy.AgcIncludeLast,
        }, t.Optimizer, t.Schedule);
    }
}
