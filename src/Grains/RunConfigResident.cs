using Thresher.Abstractions;
using Thresher.Core.Backends;
using Thresher.Core.Wire;

namespace Thresher.Grains;

/// <summary>Whether the device-resident loop can take a run: Core's rule for the step, plus the cluster's modes that only the worker path has.</summary>
public static class RunConfigResident
{
    extension(RunConfig config)
    {
        /// <summary>
        /// Null when the parameter server may take every step of this run on the device; else one line naming what keeps it
        /// on the worker path. Asynchronous training (--sync ssp) and per-silo aggregation are host protocols between worker
        /// grains, so they keep it there; the rest is <see cref="ResidentTraining.Refusal"/>.
        /// </summary>
        public string? ResidentRefusal()
        {
            if (config.IsSsp) return "the device loop runs the synchronous step, not --sync ssp";
            if (config.IsPreAggregated) return "the device loop has no workers to aggregate (--aggregate none)";
            return ResidentTraining.Refusal(config.ToTrainingOptions(), config.Workers, config.IsSharded, config.IsFixedShards, config.WireFormat == WireFormat.Bf16);
        }
    }
}
