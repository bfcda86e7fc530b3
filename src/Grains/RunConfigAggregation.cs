using Thresher.Abstractions;
using Thresher.Core.Aggregation;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>A run's pre-aggregation (--aggregate): its mode and its rules, checked once with the rest of the config.</summary>
public static class RunConfigAggregation
{
    extension(RunConfig config)
    {
        public AggregationMode AggregationMode => AggregationModes.Parse(config.Aggregate);

        /// <summary>True when each silo's workers are summed on that silo first (--aggregate per-silo).</summary>
        public bool IsPreAggregated => config.AggregationMode == AggregationMode.PerSilo;

        /// <summary>
        /// The mode is none or per-silo, and per-silo only with what it supports: the response ladder's replay needs one
        /// worker's whole gradient at the parameter server (--on-spike none), and a sharded parameter server takes its
        /// slices from every worker directly (--ps-shards 1), and the aggregators sum float32 gradients (--wire fp32).
        /// </summary>
        public void ValidateAggregation()
        {
            if (!config.IsPreAggregated) return;
            if (SpikeOptions.ParseAction(config.OnSpike) != SpikeAction.None)
                throw new ThresherInputException($"aggregate per-silo with on-spike {config.OnSpike}: the response ladder replays one worker's whole gradient, which a silo's sum hides; use --on-spike none or --aggregate none");
            if (config.IsSsp)
                throw new ThresherInputException("aggregate per-silo with sync ssp: ssp applies each worker's push on its own; use --sync sync or --aggregate none");
            if (config.WireFormat == Core.Wire.WireFormat.Bf16)
                throw new ThresherInputException("aggregate per-silo with wire bf16: the silos' aggregators sum float32 gradients; use --wire fp32 or --aggregate none");
            if (config.ShardCount > 1)
                throw new ThresherInputException($"aggregate per-silo with ps-shards {config.PsShards}: sharded runs send each worker's slices to the shards directly; use --ps-shards 1 or --aggregate none");
        }
    }
}
