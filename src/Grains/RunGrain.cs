using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// A run as clients see it (key: run id). A grain timer drives it: each tick is one turn that runs one
/// step on the parameter server and records it, so status, history and cancel are answered between
/// steps (a turn never spans more than one step). History lives here, in memory, and is stored with the
/// run's config and state in grain storage whenever the parameter server checkpoints (first this record,
/// then the checkpoint, so the stored history always reaches the checkpoint). A step that fails in
/// Orleans (the parameter server's silo died, a timeout) is not the run's failure: the run asks the
/// parameter server where to go on (<see cref="IParameterServerGrain.Resume"/>), drops the history after
/// that step and re-runs it — deterministic, so the re-run steps equal the lost ones. A run grain
/// re-activated after its silo died — by its reminder (<see cref="SiloTrainingOptions.RunReminderSeconds"/>) or by
/// the next client call, whichever comes first — loads its record and resumes the same way. Each step is one
/// <c>train.step</c> span, a child of the client's submit span when the client traced it (Orleans
/// propagates the context into <see cref="Start"/>); the explosion detector watches the norms here.
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed partial class RunGrain(
    ILogger<RunGrain> logger,
    IOptions<SiloTrainingOptions> options,
    [PersistentState("run", CheckpointStorage.Name)] IPersistentState<RunRecord> stored)
    : Grain, IRunGrain, IRemindable
{
    const string ReminderName = "thresher-run";

    /// <summary>Orleans failures in a row (no step recorded between them) before the run is declared failed.</summary>
    const int MaxConsecutiveFailures = 30;

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
    double _wallBefore;               // wall seconds of earlier activations of this run
    int _resumes;
    long? _lastResumeStep;
    string? _lastResumeWarning;       // checkpoints the latest resume passed over (damaged, unreadable), and why
    bool _mustResume;                 // the next tick asks the parameter server where to go on first
    bool _reactivated;                // re-activated from storage: the steps after the stored record were lost, so the next resume counts
    int _failures;                    // consecutive Orleans failures
    IGrainTimer? _timer;
    ActivityContext _parent;          // the submitting client's span, if any
    ExplosionDetector? _detector;
    string[] _tensorNames = [];
    RunHistoryStore? _historyStore;

    string RunId => this.GetPrimaryKeyString();

    IParameterServerGrain ParameterServer => GrainFactory.GetGrain<IParameterServerGrain>(RunId);

    RunHistoryStore HistoryStore => _historyStore
        ??= new RunHistoryStore(ServiceProvider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(CheckpointStorage.Name), RunId);

    public async Task<RunStatus> Start(RunConfig config, byte[]? initialParameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_config is not null)
            throw new ThresherInputException($"run-id '{RunId}': a run of that name already exists ({_state.ToString().ToLowerInvariant()}); pick another run id, or leave --run-id out");
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
        await Store();
        await KeepReminder();
        StartTimer(TimeSpan.Zero);
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

    public async Task<RunStatus> Cancel()
    {
        if (_config is null)
            throw new KeyNotFoundException($"run {RunId} does not exist");
        if (!_state.IsFinished())
        {
            Finish(RunState.Cancelled, null);
            await Store();
            await DropReminder();
        }
        return Status();
    }

    /// <summary>A run grain re-activated after its silo died knows its run from storage, and resumes a running one.</summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!stored.RecordExists || stored.State.Config is not { } config) return;
        var s = stored.State;
        _config = config;
        _state = s.State;
        _error = s.Error;
        _totalSteps = s.TotalSteps;
        _stepsPerEpoch = s.StepsPerEpoch;
        _startedAt = s.StartedAt;
        _wallBefore = s.WallSeconds;
        _wallSeconds = s.WallSeconds;
        _resumes = s.Resumes;
        _lastResumeStep = s.LastResumeStep;
        _lastResumeWarning = s.LastResumeWarning;
        _detector = new ExplosionDetector(config.ToDetectorOptions());
        _tensorNames = [.. new ParameterLayout(new MlpConfig(config.Layers)).Names];
        _history.Clear();
        try
        {
            Replay(await HistoryStore.LoadAsync(s.HistoryCount));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without its history the run cannot tell which steps to re-run: say so instead of guessing.
            _state = RunState.Failed;
            _error = $"its stored history could not be loaded: {e.Message}";
            LogFailed(logger, RunId, s.HistoryCount, _error);
            return;
        }
        if (_state == RunState.Running)
        {
            _startTimestamp = Stopwatch.GetTimestamp();
            _mustResume = true;
            _reactivated = true;
            StartTimer(TimeSpan.Zero);
            LogReactivated(logger, RunId, _history.Count);
            await KeepReminder(); // an in-memory reminder table may have died with the silo
        }
    }

    /// <summary>
    /// Being called is the reminder's whole job: the call activated this grain, and a running run resumed in
    /// <see cref="OnActivateAsync"/>. A finished run (or one this silo never knew) lets its reminder go.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_config is null || _state.IsFinished()) await DropReminder();
    }

    async Task KeepReminder()
    {
        int seconds = options.Value.RunReminderSeconds;
        if (seconds <= 0) return;
        try
        {
            await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(seconds));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNoReminder(logger, RunId, e.Message); // the run trains on; only its unattended recovery is lost
        }
    }

    async Task DropReminder()
    {
        if (options.Value.RunReminderSeconds <= 0) return;
        try
        {
            if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNoReminder(logger, RunId, e.Message); // a leftover reminder only wakes a finished run, which drops it then
        }
    }

    public Task<ParameterSnapshot> GetParameters()
        => _config is null ? throw new KeyNotFoundException($"run {RunId} does not exist") : ParameterServer.GetParameters();

    void StartTimer(TimeSpan due)
        => _timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });

    async Task Tick(CancellationToken cancellation)
    {
        if (_state != RunState.Running || _config is null) return;
        if (_mustResume && !await TryResume()) return;
        long step = _history.Count;
        bool evaluate = TrainingCadence.EvaluatesAfter(step, _stepsPerEpoch, _totalSteps, _config.EvalEvery);
        using var span = TrainingTelemetry.Source.StartActivity(TelemetryNames.StepSpan, ActivityKind.Internal, _parent);
        StepRecord record;
        try
        {
            record = await ParameterServer.Step(step, evaluate);
        }
        catch (Exception e) when (IsTransient(e))
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            await RetryOrGiveUp(step, e);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            LogFailed(logger, RunId, step, e.Message);
            Finish(RunState.Failed, $"step {step}: {e.Message}");
            await Store();
            await DropReminder();
            return;
        }
        _failures = 0;
        if (_detector!.Observe(step, record.GlobalNorm) is { } alert)
        {
            record = record with { Alerts = [new GradientAlert(alert.Step, alert.ReasonName, alert.Value, alert.Baseline, alert.Detail)] };
            LogExplosion(logger, RunId, step, alert.ReasonName, alert.Detail);
        }
        StepTelemetry.Record(span, RunId, _config, _tensorNames, record);
        Record(record);
        if (_state != RunState.Running) return; // cancelled while the step ran
        if (step + 1 >= _totalSteps) Finish(RunState.Completed, null);
        if (_config.IsCheckpoint(step + 1, _totalSteps) && !await Checkpoint(step + 1)) return;
        if (_state == RunState.Running) _timer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        else await DropReminder();
    }

    /// <summary>Stores this run's record, then the parameter server's checkpoint (in that order: the stored history reaches the checkpoint).</summary>
    async Task<bool> Checkpoint(long stepsDone)
    {
        try
        {
            await Store();
            await ParameterServer.Checkpoint();
            return true;
        }
        catch (Exception e) when (IsTransient(e))
        {
            if (_state == RunState.Completed) throw; // the final checkpoint failed: let the caller see it
            await RetryOrGiveUp(stepsDone, e);
            return false;
        }
    }

    /// <summary>
    /// Orleans failures (a dead or unreachable silo, a lost reply) and a parameter server re-activated from its
    /// checkpoint between two steps are retried from the last checkpoint; the run's own errors are not.
    /// </summary>
    static bool IsTransient(Exception e) => e is OrleansException or TimeoutException or ParameterServerBehindException;

    async Task RetryOrGiveUp(long step, Exception e)
    {
        _failures++;
        if (_failures >= MaxConsecutiveFailures)
        {
            LogFailed(logger, RunId, step, e.Message);
            Finish(RunState.Failed, $"step {step}: {e.Message} ({_failures} failures in a row)");
            try
            {
                await Store(); // a re-activation must not take the failed run for a running one
            }
            catch (Exception storeError) when (IsTransient(storeError))
            {
                LogFailed(logger, RunId, step, $"storing the failed state: {storeError.Message}");
            }
            await DropReminder();
            return;
        }
        LogRetry(logger, RunId, step, _failures, e.GetType().Name, e.Message);
        _mustResume = true;
        _timer?.Change(TimeSpan.FromMilliseconds(Math.Min(2000, 250 * _failures)), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Asks the parameter server where to go on and drops the history after that step.</summary>
    async Task<bool> TryResume()
    {
        long recorded = _history.Count;
        ResumePoint point;
        try
        {
            point = await ParameterServer.Resume(recorded);
        }
        catch (Exception e) when (IsTransient(e))
        {
            await RetryOrGiveUp(recorded, e);
            return false;
        }
        catch (Exception e)
        {
            LogFailed(logger, RunId, recorded, e.Message);
            Finish(RunState.Failed, $"resume at step {recorded}: {e.Message}");
            await Store();
            await DropReminder();
            return false;
        }
        _mustResume = false;
        long from = point.Step;
        if (point.Warning is { } warning)
        {
            _lastResumeWarning = warning;
            LogCheckpointWarning(logger, RunId, from, warning);
        }
        // A run grain re-activated after its silo died stored its record just before the parameter server's last
        // checkpoint, so its history usually ends exactly at the checkpoint (from == recorded): still a resume.
        bool reactivated = _reactivated;
        _reactivated = false;
        if (from < recorded || reactivated)
        {
            _resumes++;
            _lastResumeStep = from;
            var kept = _history.GetRange(0, (int)from);
            _history.Clear();
            Replay(kept);
            HistoryStore.Truncated((int)from);
            if (from < recorded) LogResumed(logger, RunId, from, recorded - from);
            else LogResumedAfterReactivation(logger, RunId, from);
        }
        return true;
    }

    /// <summary>Rebuilds the history, counters and explosion detector from recorded steps.</summary>
    void Replay(List<StepRecord> records)
    {
        (_skipped, _clipped, _alertCount, _lastAlert, _testAccuracy) = (0, 0, 0, null, null);
        _silos.Clear();
        _detector = _config is null ? null : new ExplosionDetector(_config.ToDetectorOptions());
        foreach (var r in records)
        {
            _detector?.Observe(r.Step, r.GlobalNorm);
            Record(r);
        }
    }

    async Task Store()
    {
        var s = stored.State;
        s.Config = _config;
        s.State = _state;
        s.Error = _error;
        s.TotalSteps = _totalSteps;
        s.StepsPerEpoch = _stepsPerEpoch;
        await HistoryStore.StoreAsync(_history); // pages first: the count below never runs ahead of them
        s.HistoryCount = _history.Count;
        s.StartedAt = _startedAt;
        s.WallSeconds = _wallSeconds;
        s.Resumes = _resumes;
        s.LastResumeStep = _lastResumeStep;
        s.LastResumeWarning = _lastResumeWarning;
        await stored.WriteStateAsync();
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
        if (_startTimestamp != 0) _wallSeconds = _wallBefore + Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
    }

    void Finish(RunState state, string? error)
    {
        _state = state;
        _error = error;
        _timer?.Dispose();
        _timer = null;
        if (_startTimestamp != 0) _wallSeconds = _wallBefore + Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
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
            Resumes = _resumes,
            LastResumeStep = _lastResumeStep,
            LastResumeWarning = _lastResumeWarning,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} started: {Config}; {TotalSteps} steps")]
    static partial void LogStarted(ILogger logger, string runId, string config, long totalSteps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} step {Step}: gradient explosion ({Reason}): {Detail}")]
    static partial void LogExplosion(ILogger logger, string runId, long step, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} failed at step {Step}: {Reason}")]
    static partial void LogFailed(ILogger logger, string runId, long step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} step {Step}: attempt {Failures} failed in Orleans ({Kind}: {Reason}); resuming from the parameter server's state")]
    static partial void LogRetry(ILogger logger, string runId, long step, int failures, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} resumed from its checkpoint at step {Step}; {Lost} steps are re-run")]
    static partial void LogResumed(ILogger logger, string runId, long step, long lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} resumed from its checkpoint at step {Step} after re-activation; the steps its lost activation ran after it are re-run")]
    static partial void LogResumedAfterReactivation(ILogger logger, string runId, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} goes on from step {Step} after passing over checkpoints: {Warning}")]
    static partial void LogCheckpointWarning(ILogger logger, string runId, long step, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: reminder not kept ({Reason}); after a silo failure this run resumes only when a client calls it")]
    static partial void LogNoReminder(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} re-activated from storage with {Steps} recorded steps; resuming")]
    static partial void LogReactivated(ILogger logger, string runId, int steps);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} {State} after {Steps} steps {Error}")]
    static partial void LogFinished(ILogger logger, string runId, RunState state, int steps, string error);
}
