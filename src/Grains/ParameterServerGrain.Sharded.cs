using System.Diagnostics;
using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Sharding;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The parameter server as the coordinator of a sharded run (--ps-shards S ≥ 2): θ and the optimizer state live on S
/// <see cref="IParameterShardGrain"/>s ("run id/s"); this grain holds Core's <see cref="ShardCoordinator"/> (clip policy
/// and its state, the data cursor, the schedule) and moves only small messages. A step: every worker fetches θ's slices
/// from the shards and pushes its gradient's slices to them; every shard reports its tensors' Σ g²; the coordinator adds
/// them in layout order, decides, and sends every shard the scale (or skips); AGC's shards send back their post-clip sums.
/// </summary>
public sealed partial class ParameterServerGrain
{
    ShardCoordinator? _coordinator;
    ShardPlan? _plan;
    IParameterShardGrain[] _shards = [];
    bool _shardsInStep; // every shard is known to be at _nextStep (false after this grain loaded its state, until checked)

    void SetupCoordinator(RunConfig config, TrainingOptions training, ParameterLayout layout, long totalSteps, byte[] clipState, long batchOffset)
    {
        _plan = config.ShardPlan();
        _coordinator = new ShardCoordinator(training.CreateCoordinatorRule(layout, totalSteps), _plan, training.Spike, training.OmitBatches);
        if (clipState.Length > 0) _coordinator.Rule.Policy.RestoreState(clipState);
        _coordinator.Guard.BatchOffset = batchOffset;
        _shards = [.. Enumerable.Range(0, _plan.Count).Select(s => GrainFactory.GetGrain<IParameterShardGrain>($"{this.GetPrimaryKeyString()}/{s}"))];
        _theta = [];
        _step = null;
        _shardsInStep = false;
    }

    /// <summary>θ_0 and the optimizer's state (null: zero) split over the shards, each writing its first checkpoint; then this grain's.</summary>
    async Task<int> InitializeSharded(RunConfig config, byte[] theta, OptimizerState? optimizer)
    {
        Setup(config, [], null, [], 0, 0);
        string runId = this.GetPrimaryKeyString();
        await Task.WhenAll(_shards.Select((shard, s) => shard.Initialize(new ShardSetup(runId, config, s, _plan!.Slice(theta, s), Slice(optimizer, s)))));
        await Checkpoints.StartAsync(Snapshot());
        _shardsInStep = true;
        var timeout = TimeSpan.FromSeconds(config.WorkerTimeoutSeconds);
        await Task.WhenAll(_workers.Select((worker, w) => worker.SetUp(_setups[w]).WaitAsync(timeout)));
        return _schedule!.StepsPerEpoch;
    }

    OptimizerState? Slice(OptimizerState? state, int shard)
    {
        if (state is null) return null;
        byte[] Of(byte[] whole) => whole.Length == 0 ? [] : _plan!.Slice(whole, shard);
        return new OptimizerState(Of(state.MomentumBuffer), Of(state.ExpAvg), Of(state.ExpAvgSq), state.Steps);
    }

    async Task<StepRecord> StepSharded(long step, bool evaluate)
    {
        var started = Stopwatch.GetTimestamp();
        string runId = this.GetPrimaryKeyString();
        if (!_shardsInStep && !(_shardsInStep = await ShardsAt(step))) // this grain was re-activated from its checkpoint: the shards may be elsewhere
            throw new ParameterServerBehindException($"parameter server {runId}: its shards are not all at step {step}; the run resumes from a step they all hold");
        long batch = _coordinator!.Guard.BatchOf(step);
        var replies = await Task.WhenAll(_workers.Select((worker, w) => WorkerCalls.ComputeWithRetry(worker, _setups[w],
            () => worker.ComputeSharded(new ShardedGradientRequest(runId, step, batch, w)), WorkerTimeout)));
        ShardedMeasure measured;
        ShardDecision? decision;
        using (var clip = TrainingTelemetry.Source.StartActivity(TelemetryNames.ClipSpan))
        {
            var sums = await Task.WhenAll(_shards.Select(shard => shard.Measure(step, _workers.Length)));
            measured = _coordinator.Measure(sums, [.. replies.Select(r => new WorkerGradientResult(r.Samples, r.LossSum, r.LocalNorm))]);
            decision = _coordinator.Decide(step, measured); // throws under --nonfinite abort, θ untouched
            clip?.SetTag(TelemetryNames.GlobalNorm, measured.Decision.GlobalNorm);
            clip?.SetTag(TelemetryNames.ClipScale, (double)measured.Decision.Scale);
            clip?.SetTag(TelemetryNames.ClipThreshold, measured.Decision.Threshold);
        }
        StepStatistics stats;
        using (TrainingTelemetry.Source.StartActivity(TelemetryNames.UpdateSpan))
        {
            var update = decision is null ? null : new ShardUpdate(decision.LearningRate, decision.Scale, decision.TensorScales);
            var layerSums = await Task.WhenAll(_shards.Select(shard => shard.Apply(step, update)));
            stats = _coordinator.Finish(step, measured, decision, layerSums);
        }
        _nextStep = step + 1;
        double? accuracy = evaluate ? Evaluate(await GatherParameters()) : null;
        return _lastRecord = Record(stats, measured.WorkerNorms, accuracy, started, Array.ConvertAll(replies, r => r.Silo));
    }

    /// <summary>θ gathered from the shards (evaluation, export, status: rare).</summary>
    async Task<byte[]> GatherParameters()
    {
        var slices = await Task.WhenAll(_shards.Select(shard => shard.GetParameters(_nextStep)));
        var theta = new byte[_plan!.Layout.TotalLength * sizeof(float)];
        _plan.Gather(slices, theta);
        return theta;
    }

    async Task<OptimizerState> GatherOptimizerState()
    {
        var states = await Task.WhenAll(_shards.Select(shard => shard.GetOptimizerState()));
        byte[] Gather(Func<OptimizerState, byte[]> part)
        {
            if (part(states[0]).Length == 0) return [];
            var whole = new byte[_plan!.Layout.TotalLength * sizeof(float)];
            _plan.Gather([.. states.Select(part)], whole);
            return whole;
        }
        return new OptimizerState(Gather(s => s.MomentumBuffer), Gather(s => s.ExpAvg), Gather(s => s.ExpAvgSq), states[0].Steps);
    }

    /// <summary>The coordinator's checkpoint: config, next step, the clip policy's state and the data cursor; θ is the shards'.</summary>
    ParameterServerCheckpoint CoordinatorSnapshot() => new()
    {
        Config = _config,
        NextStep = _nextStep,
        ClipState = _coordinator!.Rule.Policy.SaveState(),
        BatchOffset = _coordinator.Guard.BatchOffset,
    };

    async Task CheckpointShards()
    {
        var steps = await Task.WhenAll(_shards.Select(shard => shard.Checkpoint()));
        if (steps.Any(s => s != _nextStep))
            throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: shards checkpointed steps {string.Join(',', steps)}, expected {_nextStep}");
    }

    /// <summary>
    /// Where a sharded run goes on: where it is when every shard is there too (alive, or the last step applied but not
    /// recorded); else the newest checkpoint step that this grain and every shard hold: load this grain's newest ≤ the
    /// recorded steps, bring every shard to its newest ≤ that step, and when one holds only an older step, go back to it.
    /// </summary>
    async Task<ResumePoint> ResumeSharded(long recordedSteps, string? warning)
    {
        if (_nextStep == recordedSteps + 1 && _lastRecord?.Step == recordedSteps && (_shardsInStep = await ShardsAt(_nextStep))) return new(recordedSteps, warning);
        if (_nextStep <= recordedSteps && (_shardsInStep = await ShardsAt(_nextStep))) return new(_nextStep, warning);
        long max = recordedSteps;
        for (int round = 0; round < 4; round++)
        {
            var load = await Checkpoints.LoadAsync(maxNextStep: max);
            if (load.Checkpoint is not { Config: { } config } checkpoint)
                throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: no intact checkpoint to resume from at or before step {max}" + (load.Problems.Count > 0 ? $": {load.Describe()}" : ""));
            Setup(config, [], null, checkpoint.ClipState, checkpoint.NextStep, checkpoint.BatchOffset);
            var steps = await Task.WhenAll(_shards.Select(shard => shard.Resume(_nextStep)));
            if (_shardsInStep = steps.All(s => s == _nextStep)) return new(_nextStep, load.Problems.Count > 0 ? load.Describe() : warning);
            max = steps.Min();
        }
        throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: its shards hold no common checkpoint step");
    }

    async Task<bool> ShardsAt(long step) => (await Task.WhenAll(_shards.Select(shard => shard.NextStep()))).All(s => s == step);
}
