using Thresher.Abstractions;
using Thresher.Core.Training;
using Thresher.Core.Wire;

namespace Thresher.Grains;

/// <summary>A run's gradient wire format (--wire) and its rules, checked once with the rest of the config.</summary>
public static class RunConfigWire
{
    extension(RunConfig config)
    {
        /// <summary>fp32 or bf16; null or empty (a config stored before the option existed) is fp32.</summary>
        public WireFormat WireFormat => WireFormats.Parse(config.Wire);

        /// <summary>
        /// The name (one line naming the value and the choices), and bf16 only where it is built: one parameter server
        /// (the shards take float32 slices), and no response ladder (its replay compares two workers' parts to 1e-5, and
        /// bf16 parts differ by their rounding and by each worker's own residual).
        /// </summary>
        public void ValidateWire()
        {
            if (config.WireFormat != WireFormat.Bf16) return;
            if (config.IsSharded)
                throw new ThresherInputException($"wire bf16 with ps-shards {config.PsShards}: the shards take float32 gradient slices; use --wire fp32 or --ps-shards 1");
            if (SpikeOptions.ParseAction(config.OnSpike) != SpikeAction.None)
                throw new ThresherInputException($"wire bf16 with on-spike {config.OnSpike}: the ladder's replay compares two workers' parts to 1e-5, which bf16 rounding and error feedback exceed; use --on-spike none or --wire fp32");
        }
    }
}
