using Thresher.Abstractions;
using Thresher.Core.Wire;

namespace Thresher.Grains;

/// <summary>A run's overlap of communication with compute (--overlap) and its rules, checked once with the rest of the config.</summary>
public static class RunConfigOverlap
{
    extension(RunConfig config)
    {
        /// <summary>off, auto or on; null or empty (a config stored before the option existed) is off.</summary>
        public OverlapMode OverlapMode => OverlapModes.Parse(config.Overlap);

        /// <summary>
        /// The name (one line naming the value and the choices), and auto or on only where streamed exchanges are built:
        /// the synchronous step of one parameter server with the workers' gradients summed there, in float32.
        /// </summary>
        public void ValidateOverlap()
        {
            var mode = config.OverlapMode;
            if (mode == OverlapMode.Off) return;
            string name = mode.Name();
            if (config.IsSharded)
                throw new ThresherInputException($"overlap {name} with ps-shards {config.PsShards}: a sharded run's workers fetch θ and push slices to the shards themselves; use --overlap off or --ps-shards 1");
            if (config.IsPreAggregated)
                throw new ThresherInputException($"overlap {name} with aggregate per-silo: the aggregators take θ and sums whole; use --overlap off or --aggregate none");
            if (config.IsSsp)
                throw new ThresherInputException($"overlap {name} with sync ssp: ssp's pushes travel whole; use --overlap off or --sync sync");
            if (config.WireFormat == WireFormat.Bf16)
                throw new ThresherInputException($"overlap {name} with wire bf16: streamed gradients travel as float32; use --overlap off or --wire fp32");
        }
    }
}
