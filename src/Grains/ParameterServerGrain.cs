using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The parameter server of one run (key: run id). A step: send θ to every worker in parallel, then Core's
/// <see cref="SynchronousStep"/> on their parts in worker order (each already scaled by 1/B, so the sum is the
/// mean-loss gradient of the global batch; global norm → clip_by_global_norm → non-finite policy → the optimizer
/// at the schedule's learning rate). This
/// grain keeps the Orleans work: the calls and their retries, the spans, the checkpoints and the step record.
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed partial class ParameterServerGrain(
    SiloDatasets datasets,
    IOptions<SiloTrainingOptions> options,
    ILogger<ParameterServerGrain> logger)
    : Grain, IParameterServerGrain
{
    CheckpointStore? _checkpoints;
    string? _activationWarning; // checkpoints passed over when this activation loaded its state; told to the next Resume
    RunConfig? _config;
    TrainingOptions? _training;
    Dataset? _data;
    byte[] _theta = [];    // θ as float32 bytes; mutated only between steps, never while a step's calls are in flight
    SynchronousStep? _step; // the step's server half (sum, norms, clip, optimizer); owns the optimizer's state
    BatchSchedule? _schedule;
    IWorkerGrain[] _workers = [];
    WorkerSetup[] _setups = []; // what each worker needs besides θ: sent at the start, and to any fresh activation
    Mlp? _evaluator;
    long _nextStep;        // the step id the next Step call must carry; every step before it is applied exactly once
    StepRecord? _lastRecord; // the record of step _nextStep − 1, returned again when that step is asked for twice
    CommunicationBytes _stepBytes = CommunicationBytes.Zero; // the step in progress's payload bytes (a replay adds its own)
    WorkerPlacement? _placement; // --fault-limit: the silos the workers are moved off

    /// <summary>
    /// Creates θ_0 and sets up the workers. The run grain validated <paramref name="config"/> when the run arrived (the
    /// cluster's trust boundary), and only it calls this, so the config is not checked again here or in the workers.
    /// </summary>
    public async Task<int> Initialize(RunConfig config, byte[]? initialParameters, OptimizerState? initialOptimizer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var training = config.ToTrainingOptions();
        var layout = new ParameterLayout(training.Layers);
        var theta = new byte[layout.TotalLength * sizeof(float)];
        if (initialParameters is null)
            Initializer.Initialize(MemoryMarshal.Cast<byte, float>(theta.AsSpan()), layout, training.Init, training.Seed);
        else if (initialParameters.Length != theta.Length)
            throw new Thresher.ThresherInputException($"initial parameters have {initialParameters.Length / sizeof(float)} floats; layers {training.Layers} need {layout.TotalLength}");
        else
            initialParameters.CopyTo(theta, 0);
        if (config.IsSharded) return await InitializeSharded(config, theta, initialOptimizer);
        Setup(config, theta, initialOptimizer, [], 0, 0);
        await Checkpoints.StartAsync(Snapshot()); // step 0: a run whose parameter server dies before its first interval starts over from θ_0
        var timeout = TimeSpan.FromSeconds(config.WorkerTimeoutSeconds);
        if (_resident is null) await Task.WhenAll(_workers.Select((worker, w) => worker.SetUp(_setups[w]).WaitAsync(timeout)));
        return _schedule!.StepsPerEpoch;
    }

    /// <summary>Builds the step machinery around θ, the optimizer's state (null: zero), the clip policy's state, the next step and the data cursor's offset (a fresh run, a file or a checkpoint).</summary>
    void Setup(RunConfig config, byte[] theta, OptimizerState? optimizerState, byte[] clipState, long nextStep, long batchOffset)
    {
        var training = config.ToTrainingOptions();
        var data = datasets.Load(config.Dataset);
        data.Train.ValidateFor(training.Layers.Inputs, training.Layers.Outputs);
        data.Test.ValidateFor(training.Layers.Inputs, training.Layers.Outputs);
        var layout = new ParameterLayout(training.Layers);
        var schedule = WorkerGradient.CreateSchedule(training, data.Train.Count, config.Workers, config.IsFixedShards);
        if (config.IsSharded) SetupCoordinator(config, training, layout, training.TotalSteps(schedule.StepsPerEpoch), clipState, batchOffset);
        else if (config.IsSsp) SetupSsp(config, training, layout, theta, optimizerState, clipState, nextStep, training.TotalSteps(schedule.StepsPerEpoch));
        else
        {
            if (theta.Length != layout.TotalLength * sizeof(float))
                throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: checkpoint θ has {theta.Length / sizeof(float)} floats; layers {training.Layers} need {layout.TotalLength}");
            var rule = training.CreateUpdateRule(layout, training.TotalSteps(schedule.StepsPerEpoch));
            if (optimizerState is { } state) rule.Optimizer.Restore(state.MomentumBuffer, state.ExpAvg, state.ExpAvgSq, state.Steps);
            _theta = theta;
            _step = new SynchronousStep(rule, UpdateThreads, training.Spike, training.OmitBatches);
            if (clipState.Length > 0) _step.Rule.Policy.RestoreState(clipState);
            _step.Guard.BatchOffset = batchOffset;
        }
        _config = config;
        _training = training;
        _data = data;
        _schedule = schedule;
        _workers = [.. Enumerable.Range(0, config.Workers).Select(w => GrainFactory.GetGrain<IWorkerGrain>($"{this.GetPrimaryKeyString()}/{w}"))];
        _setups = [.. Enumerable.Range(0, config.Workers).Select(w => new WorkerSetup(this.GetPrimaryKeyString(), config, w))];
        _evaluator = new Mlp(training.Layers, 1000, Math.Max(1, options.Value.EvaluationThreads));
        _nextStep = nextStep;
        _lastRecord = null;
        _placement = new WorkerPlacement(GrainFactory, training.Spike.FaultLimit);
        StartResident(config, training, data.Train, nextStep); // a GPU silo's one-worker run: every step on the device
    }

    CheckpointStore Checkpoints => _checkpoints
        ??= new CheckpointStore(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(CheckpointStorage.Name), this.GetPrimaryKeyString());

    /// <summary>A parameter server activated after its silo died finds its newest intact checkpoint here.</summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var load = await Checkpoints.LoadAsync();
        if (load.Problems.Count > 0)
        {
            _activationWarning = load.Describe();
            LogCheckpointProblems(logger, this.GetPrimaryKeyString(), load.Checkpoint?.NextStep, _activationWarning);
        }
        if (load.Checkpoint is { Config: { } config } checkpoint)
        {
            Setup(config, checkpoint.Parameters, checkpoint.OptimizerState, checkpoint.ClipState, checkpoint.NextStep, checkpoint.BatchOffset);
            LogActivated(logger, this.GetPrimaryKeyString(), checkpoint.NextStep, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Storage failures come back as <see cref="CheckpointStorageException"/> (the run stalls and retries); a slot written
    /// by another activation as <see cref="RunSupersededException"/>, and this activation goes away.
    /// </summary>
    public async Task<long> Checkpoint()
    {
        if (_ssp is not null) await QuiesceSsp(); // every clock at the next step: θ at one version
        var snapshot = Snapshot();
        if (_coordinator is not null) await CheckpointShards(); // shards first: the coordinator's slot names a step every shard holds
        await Checkpoints.WriteOrReportAsync(snapshot, $"parameter server {this.GetPrimaryKeyString()}", DeactivateOnIdle);
        return _nextStep;
    }

    /// <summary>θ, optimizer state, next step and config as a new checkpoint (copies: θ and the state change in place each step).</summary>
    ParameterServerCheckpoint Snapshot()
    {
        if (_coordinator is not null) return CoordinatorSnapshot();
        var optimizer = OptimizerSnapshot();
        return new ParameterServerCheckpoint
        {
            Config = _config,
            NextStep = _nextStep,
            Parameters = (byte[])_theta.Clone(),
            Velocity = optimizer.MomentumBuffer,
            ExpAvg = optimizer.ExpAvg,
            ExpAvgSq = optimizer.ExpAvgSq,
            OptimizerSteps = optimizer.Steps,
            ClipState = Rule.Policy.SaveState(),
            BatchOffset = _step?.Guard.BatchOffset ?? 0,
        };
    }

    /// <summary>A copy of the optimizer's state now.</summary>
    OptimizerState OptimizerSnapshot()
    {
        if (_config is null) throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()} was not initialised");
        MirrorAll(); // the device's θ and state, when it owns them
        var o = Rule.Optimizer;
        return new OptimizerState(Bytes(o.Velocity), Bytes(o.ExpAvg), Bytes(o.ExpAvgSq), o.Steps);
    }

    static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public Task<OptimizerState> GetOptimizerState() => _coordinator is not null ? GatherOptimizerState() : Task.FromResult(OptimizerSnapshot());

    public async Task<ResumePoint> Resume(long recordedSteps)
    {
        string? warning = _activationWarning;
        _activationWarning = null;
        if (_config?.IsSharded ?? false) return await ResumeSharded(recordedSteps, warning);
        if (_config is not null && _nextStep <= recordedSteps) return new(_nextStep, warning); // alive, or re-activated from its checkpoint
        // Applied one step more than the run recorded (the run lost the reply): the repeated Step returns its record.
        if (_config is not null && _nextStep == recordedSteps + 1 && _lastRecord?.Step == recordedSteps) return new(recordedSteps, warning);
        var load = await Checkpoints.LoadAsync(maxNextStep: recordedSteps);
        if (load.Checkpoint is not { Config: { } config } checkpoint)
            throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: no intact checkpoint to resume from at or before step {recordedSteps}"
                + (load.Problems.Count > 0 ? $": {load.Describe()}" : $" (storage '{CheckpointStorage.Name}' holds none; memory storage dies with its silo)"));
        if (load.Problems.Count > 0)
            LogCheckpointProblems(logger, this.GetPrimaryKeyString(), checkpoint.NextStep, load.Describe());
        Setup(config, checkpoint.Parameters, checkpoint.OptimizerState, checkpoint.ClipState, checkpoint.NextStep, checkpoint.BatchOffset);
        return new(_nextStep, load.Problems.Count > 0 ? load.Describe() : warning);
    }

    public async Task<StepRecord> Step(long step, bool evaluate)
    {
        if ((_step is null && _coordinator is null && _ssp is null) || _config is null || _training is null || _schedule is null || _data is null || _evaluator is null)
            throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()} was not initialised");
        if (_lastRecord is { } recorded && recorded.Step == step && (step == _nextStep - 1 || recorded.RewindTo == _nextStep))
            return recorded; // a repeated step id (the caller lost the reply): its result again, not a second update or rewind
        if (step > _nextStep)
            throw new ParameterServerBehindException($"parameter server {this.GetPrimaryKeyString()}: asked for step {step}, but it holds θ after step {_nextStep - 1} (re-activated from its checkpoint)");
        if (step != _nextStep)
            throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: asked for step {step}, expected {_nextStep}{(step < _nextStep ? " (that step was already applied; it is not applied twice)" : "")}");
        if (_ssp is not null) return await StepSsp(step, evaluate);
        if (_resident is not null) return StepResident(step, evaluate); // never with ssp or aggregation (ResidentRefusal)
        if (_step is null || _config.IsPreAggregated) return await (_step is null ? StepSharded(step, evaluate) : StepPreAggregated(step, evaluate));
        var started = Stopwatch.GetTimestamp();
        string runId = this.GetPrimaryKeyString();
        var calls = new Task<GradientResult>[_workers.Length];
        long batch = _step.Guard.BatchOf(step); // the workers compute on the data batch, which a rewind moves past the step
        _placement!.BeginStep();
        var streamed = StreamedWorkers(); // --overlap
        for (int w = 0; w < _workers.Length; w++)
            calls[w] = AskWorker(w, runId, batch, streamed[w]);
        var replies = await Task.WhenAll(calls);
        RememberSilos(replies);
        _stepBytes = StepTraffic.Of(replies, _theta.LongLength, LocalSilo);
        // Gradients read in place: a worker rewrites its buffer only when asked for the next step.
        var parts = Array.ConvertAll(replies, r => new WorkerPart(Float32Gradient(r), new WorkerGradientResult(r.Samples, r.LossSum, r.LocalNorm)));

        // Σ_w g_w is fused into the norm pass (train.clip); norms and SGD run on the step's threads.
        MeasuredStep measured;
        using (var clip = TrainingTelemetry.Source.StartActivity(TelemetryNames.ClipSpan))
        {
            measured = _step.Measure(parts);
            clip?.SetTag(TelemetryNames.GlobalNorm, measured.Decision.GlobalNorm);
            clip?.SetTag(TelemetryNames.ClipScale, (double)measured.Decision.Scale);
            clip?.SetTag(TelemetryNames.ClipThreshold, measured.Decision.Threshold);
        }
        if (_step.Suspect(measured) is { } suspect)
            measured = await Replay(suspect, parts, replies, new GradientRequest(runId, batch, suspect.Worker, _theta), step);
        StepStatistics stats;
        using (TrainingTelemetry.Source.StartActivity(TelemetryNames.UpdateSpan))
            stats = _step.Apply(_theta, measured, step);
        _nextStep = stats.RewindTo ?? step + 1;
        double? accuracy = evaluate && stats.RewindTo is null ? Evaluate(_theta) : null;
        return _lastRecord = Record(stats, measured.WorkerNorms, accuracy, started, Array.ConvertAll(replies, r => r.Silo));
    }

    double Evaluate(byte[] theta)
    {
        using var eval = TrainingTelemetry.Source.StartActivity(TelemetryNames.EvaluateSpan);
        double accuracy = Evaluation.Accuracy(_evaluator!, MemoryMarshal.Cast<byte, float>(theta.AsSpan()), _data!.Test, _training!.InputScale);
        eval?.SetTag(TelemetryNames.TestAccuracy, accuracy);
        return accuracy;
    }

    TimeSpan WorkerTimeout => TimeSpan.FromSeconds(_config!.WorkerTimeoutSeconds);

    /// <summary>
    /// The spike's suspect part (<paramref name="request"/>: its rows, the same θ) recomputed by another worker, on another
    /// silo when one hosts a worker: the same gradient convicts the data, a different one the worker, whose part is then
    /// the replay's. Core's <see cref="SynchronousStep.Convict"/> records the verdict; the step is measured again.
    /// </summary>
    async Task<MeasuredStep> Replay(WorkerSuspicion suspect, WorkerPart[] parts, GradientResult[] replies, GradientRequest request, long step)
    {
        int w = suspect.Worker, n = _workers.Length;
        int other = Enumerable.Range(1, n - 1).Select(k => (w + k) % n).FirstOrDefault(k => replies[k].Silo != replies[w].Silo, (w + 1) % n);
        var replay = await WorkerCalls.ComputeWithRetry(_workers[other], _setups[other], request, WorkerTimeout, replay: true);
        _stepBytes += StepTraffic.Of([replay], request.Parameters.LongLength, LocalSilo);
        var verdict = ReplayVerdict.Compare(MemoryMarshal.Cast<byte, float>(parts[w].Gradient.AsSpan()), MemoryMarshal.Cast<byte, float>(replay.Gradient.AsSpan()));
        if (verdict == Verdict.Fault) parts[w] = new WorkerPart(replay.Gradient, new WorkerGradientResult(replay.Samples, replay.LossSum, replay.LocalNorm));
        if (verdict == Verdict.Fault) await _placement!.Convicted(replies[w].Silo, Array.ConvertAll(replies, r => r.Silo)); // --fault-limit
        _step!.Convict(step, suspect, other, verdict);
        return _step.Measure(parts);
    }

    /// <summary>
    /// Threads of the sum, norms and SGD: two. The norms split by tensor (the largest alone), so more would idle;
    /// between steps the workers are waiting, so the silo's cores are free.
    /// </summary>
    static int UpdateThreads => Math.Min(2, Environment.ProcessorCount);

    public async Task<ParameterSnapshot> GetParameters()
        => new(_nextStep, _config?.Layers ?? [], _coordinator is not null ? await GatherParameters() : (byte[])MirrorTheta().Clone());

    public Task<long> NextStep() => Task.FromResult(_nextStep);

    public async Task Release()
    {
        await Task.WhenAll(_shards.Select(shard => shard.Release()));
        DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "parameter server {RunId}: {Problems}; going on from the checkpoint at step {Step}")]
    static partial void LogCheckpointProblems(ILogger logger, string runId, long? step, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "parameter server {RunId} activated from its checkpoint at step {Step} (loaded in {Milliseconds:F0} ms)")]
    static partial void LogActivated(ILogger logger, string runId, long step, double milliseconds);
}
