using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Sharding;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>A run's parameter-server sharding (--ps-shards): its plan and its rules, checked once with the rest of the config.</summary>
public static class RunConfigSharding
{
    extension(RunConfig config)
    {
        /// <summary>The shard count; 0 (a config stored before sharding existed) is 1.</summary>
        public int ShardCount => Math.Max(1, config.PsShards);

        /// <summary>True when θ lives on S ≥ 2 shard grains.</summary>
        public bool IsSharded => config.ShardCount > 1;

        /// <summary>The shards' cut points: tensor boundaries, layer boundaries with AGC (its units span w_k and b_k).</summary>
        public ShardPlan ShardPlan() => new(new ParameterLayout(new MlpConfig(config.Layers)), config.ShardCount,
            wholeLayers: ClipPolicyKinds.Parse(config.ClipPolicy) == ClipPolicyKind.Agc);

        /// <summary>
        /// S in 1..the cut points (one line naming the range), and with S ≥ 2 only what works sharded: the response ladder's
        /// replay and rewind need whole gradients and θ on one grain, so --on-spike must be none.
        /// </summary>
        public void ValidateSharding()
        {
            _ = new ShardPlan(new ParameterLayout(new MlpConfig(config.Layers)), config.PsShards, // the raw value: 0 is refused here
                wholeLayers: ClipPolicyKinds.Parse(config.ClipPolicy) == ClipPolicyKind.Agc);
            if (config.IsSharded && SpikeOptions.ParseAction(config.OnSpike) != SpikeAction.None)
                throw new ThresherInputException($"ps-shards {config.PsShards} with on-spike {config.OnSpike}: the response ladder's replay and rewind need the whole gradient and θ on one grain; use --on-spike none or --ps-shards 1");
        }
    }
}
