using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Telemetry;

namespace Thresher.Grains;

/// <summary>
/// A run as clients see it (key: run id). A grain timer drives it: each tick is one turn that runs one
/// step on the parameter server and records it, so status, history and cancel are answered between
/// steps (a turn never spans more than one step). History lives here, in memory. Each step is one
/// <c>train.step</c> span, a child of the client's submit span when the client traced it (Orleans
/// propagates the context into <see cref="Start"/>); the explosion detector watches the norms here.
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed partial class RunGrain(ILogger<RunGrain> logger) : Grain, IRunGrain
{
    readonly List<StepRecord> _history = [];
    readonly HashSet<string> _silos = [];
    RunConfig? _config;
    RunState _state = RunState.Pending;
    string? _error;
    long _totalSteps;
    int _stepsPerEpoch;
    int _skipped, _clipped, _alertCount;
    GradientAlert? _lastAlert;
    double? _testAccuracy;
    DateTimeOffset? _startedAt;
    long _startTimestamp;
    double _wallSeconds;
    IGrainTimer? _timer;
    ActivityContext _parent;          // the submitting client's span, if any
    ExplosionDetector? _detector;
    string[] _tensorNames = [];

    string RunId => this.GetPrimaryKeyString();

    IParameterServerGrain ParameterServer => GrainFactory.GetGrain<IParameterServerGrain>(RunId);

    public async Task<RunStatus> Start(RunConfig config, byte[]? initialParameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_config is not null)
            throw new InvalidOperationException($"run {RunId} already exists ({_state}); pick another run id");
        config.Validate();
        _stepsPerEpoch = await ParameterServer.Initialize(config, initialParameters);
        _config = config;
        _parent = Activity.Current?.Context ?? default;
        _detector = new ExplosionDetector(config.ToDetectorOptions());
        _tensorNames = [.. new ParameterLayout(new MlpConfig(config.Layers)).Names];
        _totalSteps = config.ToTrainingOptions().TotalSteps(_stepsPerEpoch);
        _state = RunState.Running;
        _startedAt = DateTimeOffset.UtcNow;
        _startTimestamp = Stopwatch.GetTimestamp();
        await GrainFactory.GetGrain<IRunRegistryGrain>(0).Register(RunId);
        _timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        LogStarted(logger, RunId, config.ToString(), _totalSteps);
        return Status();
    }

    public Task<RunStatus> GetStatus() => Task.FromResult(Status());

    public Task<StepRecord[]> GetHistory(long fromStep, int max)
    {
        int from = (int)Math.Clamp(fromStep, 0, _history.Count);
        int count = Math.Clamp(max, 0, _history.Count - from);
        return Task.FromResult(_history.GetRange(from, count).ToArray());
    }

    public Task<RunStatus> Cancel()
    {
        if (_config is null)
            throw new KeyNotFoundException($"run {RunId} does not exist");
        if (!_state.IsFinished()) Finish(RunState.Cancelled, null);
        return Task.FromResult(Status());
    }

    public Task<ParameterSnapshot> GetParameters()
        => _config is null ? throw new KeyNotFoundException($"run {RunId} does not exist") : ParameterServer.GetParameters();

    async Task Tick(CancellationToken cancellation)
    {
        if (_state != RunState.Running || _config is null) return;
        long step = _history.Count;
        bool lastOfEpoch = (step + 1) % _stepsPerEpoch == 0;
        bool evaluate = lastOfEpoch || step + 1 == _totalSteps || (_config.EvalEvery > 0 && (step + 1) % _config.EvalEvery == 0);
        using var span = TrainingTelemetry.Source.StartActivity(TelemetryNames.StepSpan, ActivityKind.Internal, _parent);
        StepRecord record;
        try
        {
            record = await ParameterServer.Step(step, evaluate);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            LogFailed(logger, RunId, step, e.Message);
            Finish(RunState.Failed, $"step {step}: {e.Message}");
            return;
        }
        if (_detector!.Observe(step, record.GlobalNorm) is { } alert)
        {
            record = record with { Alerts = [new GradientAlert(alert.Step, alert.ReasonName, alert.Value, alert.Baseline, alert.Detail)] };
            LogExplosion(logger, RunId, step, alert.ReasonName, alert.Detail);
        }
        StepTelemetry.Record(span, RunId, _config, _tensorNames, record);
        Record(record);
        if (_state != RunState.Running) return; // cancelled while the step ran
        if (step + 1 >= _totalSteps) Finish(RunState.Completed, null);
        else _timer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    void Record(StepRecord record)
    {
        _history.Add(record);
        if (record.Skipped) _skipped++;
        if (record.Clipped) _clipped++;
        if (record.TestAccuracy is double accuracy) _testAccuracy = accuracy;
        _alertCount += record.Alerts.Length;
        if (record.Alerts.Length > 0) _lastAlert = record.Alerts[^1];
        foreach (var silo in record.WorkerSilos) _silos.Add(silo);
        _wallSeconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
    }

    void Finish(RunState state, string? error)
    {
        _state = state;
        _error = error;
        _timer?.Dispose();
        _timer = null;
        if (_startTimestamp != 0) _wallSeconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        LogFinished(logger, RunId, state, _history.Count, error ?? "");
    }

    RunStatus Status()
    {
        var last = _history.Count > 0 ? _history[^1] : null;
        long samples = (long)_history.Count * (_config?.Batch ?? 0);
        return new RunStatus
        {
            RunId = RunId,
            State = _state,
            Config = _config,
            Step = _history.Count,
            TotalSteps = _totalSteps,
            StepsPerEpoch = _stepsPerEpoch,
            LastLoss = last?.Loss,
            LastGlobalNorm = last?.GlobalNorm,
            TestAccuracy = _testAccuracy,
            SkippedSteps = _skipped,
            ClippedSteps = _clipped,
            Error = _error,
            StartedAt = _startedAt,
            WallSeconds = _wallSeconds,
            SamplesPerSecond = _wallSeconds > 0 ? samples / _wallSeconds : 0,
            Silos = [.. _silos.Order(StringComparer.Ordinal)],
            AlertCount = _alertCount,
            LastAlert = _lastAlert,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} started: {Config}; {TotalSteps} steps")]
    static partial void LogStarted(ILogger logger, string runId, string config, long totalSteps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} step {Step}: gradient explosion ({Reason}): {Detail}")]
    static partial void LogExplosion(ILogger logger, string runId, long step, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} failed at step {Step}: {Reason}")]
    static partial void LogFailed(ILogger logger, string runId, long step, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} {State} after {Steps} steps {Error}")]
    static partial void LogFinished(ILogger logger, string runId, RunState state, int steps, string error);
}
