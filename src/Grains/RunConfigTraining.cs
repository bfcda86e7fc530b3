using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// A submitted <see cref="RunConfig"/> in Core's terms: the training and detector options it maps to, its shard
/// mode, its checkpoint cadence and its validation. Kept beside the grains (and the CLI, which validates before it
/// submits) so the contract assembly, Thresher.Abstractions, needs no Core.
/// </summary>
public static class RunConfigTraining
{
    extension(RunConfig config)
    {
        /// <summary>True when the state after <paramref name="stepsDone"/> steps (of <paramref name="totalSteps"/>) is checkpointed.</summary>
        public bool IsCheckpoint(long stepsDone, long totalSteps)
            => TrainingCadence.CheckpointsAt(stepsDone, totalSteps, config.CheckpointEvery);

        /// <summary>The explosion detector's settings for this run.</summary>
        public ExplosionDetectorOptions ToDetectorOptions() => new()
        {
            AbsoluteThreshold = config.AlertThreshold,
            GrowthFactor = config.AlertGrowth,
            SpikeFactor = config.AlertSpikeFactor,
            SigmaFactor = config.AlertSigma,
            Window = config.AlertWindow,
            WarmUp = config.AlertWarmUp,
        };

        /// <summary>The Core options this run trains with; throws <see cref="ThresherInputException"/> on a bad value.</summary>
        public TrainingOptions ToTrainingOptions() => new()
        {
            Layers = new MlpConfig(config.Layers ?? []),
            Loss = LossKinds.Parse(config.Loss),
            InputScale = config.InputScale,
            LearningRate = config.LearningRate,
            Optimizer = config.ToOptimizerOptions(),
            Schedule = config.ToScheduleOptions(),
            Batch = config.Batch,
            Epochs = config.Epochs,
            Steps = config.Steps,
            Clip = config.Clip,
            NonFinite = NonFinitePolicies.Parse(config.NonFinite),
            Seed = config.Seed,
            Shuffle = config.Shuffle,
            Init = Initializer.Parse(config.Init),
            EvalEvery = config.EvalEvery,
            ClipPolicy = config.ToClipPolicyOptions(),
            Spike = config.ToSpikeOptions(),
            Inject = InjectionRule.ParseList(config.Inject),
        };

        /// <summary>The run's clip policy and its options; throws <see cref="ThresherInputException"/> for an unknown policy.</summary>
        public ClipPolicyOptions ToClipPolicyOptions() => new()
        {
            Kind = ClipPolicyKinds.Parse(config.ClipPolicy),
            ZClipWarmup = config.ZClipWarmup,
            ZClipAlpha = config.ZClipAlpha,
            ZClipZ = config.ZClipZ,
            AutoClipPercentile = config.AutoClipPercentile,
            AutoClipHistory = config.AutoClipHistory,
            AgcLambda = config.AgcLambda,
            AgcIncludeLast = config.AgcIncludeLast,
        };

        /// <summary>The response ladder's settings for this run.</summary>
        public SpikeOptions ToSpikeOptions() => new()
        {
            OnSpike = SpikeOptions.ParseAction(config.OnSpike),
            Window = config.SpikeWindow,
            Sigma = config.SpikeSigma,
            MinHistory = config.SpikeMinHistory,
            TwoSided = SpikeOptions.ParseTwoSided(config.SpikeSided),
            RewindAfter = config.RewindAfter,
            RewindWindow = config.RewindWindow,
            RewindSteps = config.RewindSteps,
            RewindSkipBatches = config.RewindSkipBatches,
            FaultLimit = config.FaultLimit,
        };

        /// <summary>True for shard mode fixed; throws <see cref="ThresherInputException"/> for an unknown mode.</summary>
        public bool IsFixedShards => config.ShardMode?.ToLowerInvariant() switch
        {
            "batch" => false,
            "fixed" => true,
            _ => throw new ThresherInputException($"shard-mode '{config.ShardMode}': unknown; expected batch or fixed"),
        };

        /// <summary>Throws <see cref="ThresherInputException"/> naming the first bad value and the accepted range.</summary>
        public void Validate()
        {
            if (string.IsNullOrWhiteSpace(config.Dataset))
                throw new ThresherInputException("data: empty; give a dataset name (mnist, fashion-mnist) or a directory");
            config.ValidateOptimizerOptions();
            config.ToTrainingOptions().Validate();
            _ = config.IsFixedShards;
            config.ToDetectorOptions().Validate();
            int workers = config.Workers;
            if (workers < 1 || workers > RunConfig.MaxWorkers)
                throw new ThresherInputException($"workers {workers}: must be in 1..{RunConfig.MaxWorkers}");
            if (config.CheckpointEvery < 0 || config.CheckpointEvery > RunConfig.MaxCheckpointEvery)
                throw new ThresherInputException($"checkpoint-every {config.CheckpointEvery}: must be in 0..{RunConfig.MaxCheckpointEvery} (0 = only at the start and the end)");
            if (config.WorkerTimeoutSeconds < 1 || config.WorkerTimeoutSeconds > 3600)
                throw new ThresherInputException($"worker-timeout {config.WorkerTimeoutSeconds}: must be in 1..3600 seconds");
            foreach (var rule in InjectionRule.ParseList(config.Inject)) rule.ValidateFor(workers);
            if (config.Batch < workers)
                throw new ThresherInputException($"batch {config.Batch} is smaller than workers {workers}: every worker needs at least one sample per step");
            config.ValidateSharding();
            config.ValidateAggregation();
            config.ValidateWire();
            config.ValidateOverlap();
            config.ValidateSsp();
            long gradientBytes = workers * new MlpConfig(config.Layers).ParameterCount * sizeof(float);
            if (gradientBytes > RunConfig.MaxGradientBytes)
                throw new ThresherInputException($"workers {workers} with layers {string.Join(',', config.Layers)}: their gradients need {gradientBytes >> 20:N0} MiB per step, above the limit of {RunConfig.MaxGradientBytes >> 20:N0} MiB — use fewer --workers or a smaller model");
        }
    }
}
