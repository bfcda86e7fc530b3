using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Core.Sharding;

/// <summary>
/// A sharded parameter server in one process: a <see cref="ShardCoordinator"/> and S <see cref="ParameterShard"/>s,
/// driven through the same three phases the grains run over the network — every shard measures its slice of the
/// workers' parts (Σ_w, per-tensor Σ g²), the coordinator reduces and decides, every shard applies — so the protocol is
/// written and tested once here, without Orleans. θ and the optimizer's state are split by the <see cref="ShardPlan"/>.
/// </summary>
public sealed class ShardedStep
{
    readonly ParameterShard[] _shards;

    /// <param name="theta">θ_0 (float32 bytes, layout order), split over the shards.</param>
    public ShardedStep(TrainingOptions training, ShardPlan plan, byte[] theta, long totalSteps)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(plan);
        Plan = plan;
        Coordinator = new ShardCoordinator(training.CreateCoordinatorRule(plan.Layout, totalSteps), plan, training.Spike, training.OmitBatches);
        _shards = [.. plan.Shards.Select(r => new ParameterShard(plan, r.Index, plan.Slice(theta, r.Index),
            new Optimizer(training.Optimizer, training.LearningRate, r.Length), Coordinator.Rule.Policy))];
    }

    public ShardPlan Plan { get; }

    public ShardCoordinator Coordinator { get; }

    public IReadOnlyList<ParameterShard> Shards => _shards;

    /// <summary>One step from the workers' whole parts (worker order): each shard gets its slice of each.</summary>
    public StepStatistics Step(long step, IReadOnlyList<WorkerPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var sums = _shards.Select(shard => shard.Measure([.. parts.Select(p => Plan.Slice(p.Gradient, shard.Range.Index))])).ToArray();
        var measured = Coordinator.Measure(sums, [.. parts.Select(p => p.Result)]);
        var decision = Coordinator.Decide(step, measured);
        double[]?[]? layerSums = null;
        if (decision is not null) layerSums = [.. _shards.Select(shard => shard.Apply(decision))];
        else foreach (var shard in _shards) shard.Discard();
        return Coordinator.Finish(step, measured, decision, layerSums);
    }

    /// <summary>θ gathered from the shards (float32 bytes, layout order).</summary>
    public byte[] Theta()
    {
        var whole = new byte[Plan.Layout.TotalLength * sizeof(float)];
        Plan.Gather([.. _shards.Select(s => s.Theta)], whole);
        return whole;
    }
}
