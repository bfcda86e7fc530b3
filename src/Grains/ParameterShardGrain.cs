using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Thresher.Abstractions;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Sharding;

namespace Thresher.Grains;

/// <summary>
/// One shard of a sharded parameter server (key "run id/shard index"): holds Core's <see cref="ParameterShard"/> (its
/// slice of θ and of the optimizer state) and the workers' gradient slices of the current step. Steps arrive in order:
/// workers fetch θ and push their slices for the shard's next step, the coordinator (the run's parameter server) asks
/// for the per-tensor sums and then applies or skips the step. Checkpoints are its own two slots (keyed by its grain
/// key), written at the steps the coordinator checkpoints, so a checkpoint of the run is the set of shard slots with
/// one step id; a fresh activation (its silo died) loads its newest slot and the coordinator brings every shard back
/// to the newest step they all hold.
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed partial class ParameterShardGrain(ILogger<ParameterShardGrain> logger) : Grain, IParameterShardGrain
{
    CheckpointStore? _checkpoints;
    RunConfig? _config;
    ParameterShard? _shard;
    long _nextStep = -1;          // the step the next Apply must carry; -1: no state (a fresh activation without a checkpoint)
    long _partsStep = -1;         // the step the pushed parts belong to
    byte[]?[] _parts = [];        // [W] gradient slices of _partsStep, worker order
    (long Step, double[]? Sums)? _applied; // the last Apply, answered again when repeated

    string Key => this.GetPrimaryKeyString();

    int Index => int.Parse(Key[(Key.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    CheckpointStore Checkpoints => _checkpoints
        ??= new CheckpointStore(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(CheckpointStorage.Name), Key);

    public async Task Initialize(ShardSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        Setup(setup.Config, setup.Parameters, setup.Optimizer, 0);
        await Checkpoints.StartAsync(Snapshot());
    }

    void Setup(RunConfig config, byte[] theta, OptimizerState? state, long nextStep)
    {
        var training = config.ToTrainingOptions();
        var plan = config.ShardPlan();
        var range = plan.Shards[Index];
        var optimizer = new Optimizer(training.Optimizer, training.LearningRate, range.Length);
        if (state is not null) optimizer.Restore(state.MomentumBuffer, state.ExpAvg, state.ExpAvgSq, state.Steps);
        var policy = ClipPolicy.Create(training.ClipPolicy, training.Clip, plan.Layout); // AGC's unit pass runs here
        _shard = new ParameterShard(plan, Index, theta, optimizer, policy);
        _config = config;
        _nextStep = nextStep;
        _parts = new byte[config.Workers][];
        _partsStep = -1;
        _applied = null;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var load = await Checkpoints.LoadAsync();
        if (load.Problems.Count > 0) LogCheckpointProblems(logger, Key, load.Checkpoint?.NextStep, load.Describe());
        if (load.Checkpoint is { Config: { } config } checkpoint)
            Setup(config, checkpoint.Parameters, checkpoint.OptimizerState, checkpoint.NextStep);
    }

    ParameterShard Shard => _shard ?? throw new ParameterServerBehindException($"parameter shard {Key} holds no state (re-activated without a checkpoint)");

    /// <summary>Refuses a step other than the next: behind (re-activated from its checkpoint) is the run's to resume.</summary>
    void Expect(long step)
    {
        _ = Shard;
        if (step > _nextStep) throw new ParameterServerBehindException($"parameter shard {Key}: asked for step {step}, but it holds θ after step {_nextStep - 1}");
        if (step < _nextStep) throw new InvalidOperationException($"parameter shard {Key}: asked for step {step}, expected {_nextStep} (that step was already applied)");
    }

    public Task<byte[]> GetParameters(long step)
    {
        Expect(step);
        return Task.FromResult(Shard.Theta); // copied by the call (in-silo too); mutated only by Apply, after every worker pushed
    }

    public Task Push(long step, int worker, byte[] gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        Expect(step);
        if (_partsStep != step) Array.Clear(_parts);
        _partsStep = step;
        _parts[worker] = gradient;
        return Task.CompletedTask;
    }

    public Task<double[]> Measure(long step, int workers)
    {
        Expect(step);
        if (_partsStep != step || _parts.Length != workers || _parts.Any(p => p is null))
            throw new InvalidOperationException($"parameter shard {Key}: step {step} has {(_partsStep == step ? _parts.Count(p => p is not null) : 0)} of {workers} gradient slices");
        return Task.FromResult(Shard.Measure(_parts!));
    }

    public Task<double[]?> Apply(long step, ShardUpdate? update)
    {
        if (_applied is { } applied && applied.Step == step && _nextStep == step + 1) return Task.FromResult(applied.Sums); // a repeat
        Expect(step);
        double[]? sums = null;
        if (update is null) Shard.Discard();
        else sums = Shard.Apply(new ShardDecision(step, update.LearningRate, update.Scale, update.TensorScales));
        _nextStep = step + 1;
        Array.Clear(_parts);
        _partsStep = -1;
        _applied = (step, sums);
        return Task.FromResult(sums);
    }

    public Task<long> NextStep() => Task.FromResult(_nextStep);

    public Task<OptimizerState> GetOptimizerState()
    {
        var o = Shard.Optimizer;
        return Task.FromResult(new OptimizerState(Bytes(o.Velocity), Bytes(o.ExpAvg), Bytes(o.ExpAvgSq), o.Steps));
    }

    static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    ParameterServerCheckpoint Snapshot()
    {
        var o = Shard.Optimizer;
        return new ParameterServerCheckpoint
        {
            Config = _config, NextStep = _nextStep, Parameters = (byte[])Shard.Theta.Clone(),
            Velocity = Bytes(o.Velocity), ExpAvg = Bytes(o.ExpAvg), ExpAvgSq = Bytes(o.ExpAvgSq), OptimizerSteps = o.Steps,
        };
    }

    public async Task<long> Checkpoint()
    {
        var snapshot = Snapshot();
        await Checkpoints.WriteOrReportAsync(snapshot, $"parameter shard {Key}", DeactivateOnIdle);
        return _nextStep;
    }

    public async Task<long> Resume(long maxStep)
    {
        if (_shard is not null && _nextStep == maxStep) return _nextStep; // alive at that step: nothing to load
        var load = await Checkpoints.LoadAsync(maxNextStep: maxStep);
        if (load.Checkpoint is not { Config: { } config } checkpoint)
            throw new InvalidOperationException($"parameter shard {Key}: no intact checkpoint at or before step {maxStep}" + (load.Problems.Count > 0 ? $": {load.Describe()}" : ""));
        if (load.Problems.Count > 0) LogCheckpointProblems(logger, Key, checkpoint.NextStep, load.Describe());
        Setup(config, checkpoint.Parameters, checkpoint.OptimizerState, checkpoint.NextStep);
        return _nextStep;
    }

    public Task Release()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "parameter shard {Shard}: {Problems}; going on from the checkpoint at step {Step}")]
    static partial void LogCheckpointProblems(ILogger logger, string shard, long? step, string problems);
}
