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
/// propagates the context into <see cref="Start"/>). The books (history, counters, explosion detector, status) are
/// a <see cref="RunLedger"/>, when to retry or resume is a <see cref="ResumePolicy"/>; see docs/architecture.md.
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed partial class RunGrain(
    ILogger<RunGrain> logger,
    IOptions<SiloTrainingOptions> options,
    [PersistentState("run", CheckpointStorage.Name)] IPersistentState<RunRecord> stored)
    : Grain, IRunGrain, IRemindable
{
    readonly RunLedger _ledger = new();       // config, state, history, counters, detector: the books
    readonly ResumePolicy _resume = new();    // failures in a row, whether the next tick resumes first
    IGrainTimer? _timer;
    ActivityContext _parent;                  // the submitting client's span, if any
    string[]? _tensorNames;
    RunHistoryStore? _historyStore;
    RunReminder? _reminder;

    string RunId => this.GetPrimaryKeyString();

    IParameterServerGrain ParameterServer => GrainFactory.GetGrain<IParameterServerGrain>(RunId);

    RunHistoryStore HistoryStore => _historyStore
        ??= new RunHistoryStore(ServiceProvider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(CheckpointStorage.Name), RunId);

    RunReminder Reminder => _reminder ??= new RunReminder(this, options.Value.RunReminderSeconds, logger, RunId);

    string[] TensorNames => _tensorNames ??= [.. new ParameterLayout(new MlpConfig(_ledger.Config!.Layers)).Names];

    public async Task<RunStatus> Start(RunConfig config, byte[]? initialParameters, OptimizerState? initialOptimizer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_ledger.Config is not null)
            throw new ThresherInputException($"run-id '{RunId}': a run of that name already exists ({_ledger.State.ToString().ToLowerInvariant()}); pick another run id, or leave --run-id out");
        config.Validate();
        int stepsPerEpoch = await ParameterServer.Initialize(config, initialParameters, initialOptimizer);
        _parent = Activity.Current?.Context ?? default;
        Started(config, stepsPerEpoch);
        await GrainFactory.GetGrain<IRunRegistryGrain>(0).Register(RunId);
        await Store();
        await Reminder.Keep();
        StartTimer(TimeSpan.Zero);
        return _ledger.Status(RunId);
    }

    public Task<RunStatus> GetStatus() => Task.FromResult(_ledger.Status(RunId));

    public Task<StepRecord[]> GetHistory(long fromStep, int max) => Task.FromResult(_ledger.Slice(fromStep, max));

    public async Task<RunStatus> Cancel()
    {
        if (_ledger.Config is null)
            throw new KeyNotFoundException($"run {RunId} does not exist");
        if (!_ledger.State.IsFinished())
        {
            Cancelled();
            await Store();
            await Reminder.Drop();
        }
        return _ledger.Status(RunId);
    }

    public Task<ParameterSnapshot> GetParameters()
        => _ledger.Config is null ? throw new KeyNotFoundException($"run {RunId} does not exist") : ParameterServer.GetParameters();

    public Task<OptimizerState> GetOptimizerState()
        => _ledger.Config is null ? throw new KeyNotFoundException($"run {RunId} does not exist") : ParameterServer.GetOptimizerState();

    /// <summary>A run grain re-activated after its silo died knows its run from storage, and resumes a running one.</summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!stored.RecordExists || stored.State.Config is null) return;
        _ledger.Restore(stored.State);
        try
        {
            _ledger.Replay(await HistoryStore.LoadAsync(stored.State.HistoryCount));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without its history the run cannot tell which steps to re-run: say so instead of guessing.
            Failed($"its stored history ({stored.State.HistoryCount} steps) could not be loaded: {e.Message}");
            return;
        }
        if (_ledger.State == RunState.Running)
        {
            Reactivated();
            await Reminder.Keep(); // an in-memory reminder table may have died with the silo
        }
    }

    /// <summary>
    /// Being called is the reminder's whole job: the call activated this grain, and a running run resumed in
    /// <see cref="OnActivateAsync"/>. A finished run (or one this silo never knew) lets its reminder go.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_ledger.Config is null || _ledger.State.IsFinished()) await Reminder.Drop();
    }

    async Task Tick(CancellationToken cancellation)
    {
        if (_ledger.State != RunState.Running || _ledger.Config is not { } config) return;
        if (_resume.MustResume && !await TryResume()) return;
        long step = _ledger.StepsDone;
        bool evaluate = TrainingCadence.EvaluatesAfter(step, _ledger.StepsPerEpoch, _ledger.TotalSteps, config.EvalEvery);
        using var span = TrainingTelemetry.Source.StartActivity(TelemetryNames.StepSpan, ActivityKind.Internal, _parent);
        StepRecord record;
        try
        {
            record = await ParameterServer.Step(step, evaluate);
        }
        catch (Exception e) when (ResumePolicy.IsTransient(e))
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            await RetryOrGiveUp(step, e);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            Failed($"step {step}: {e.Message}");
            await Store();
            await Reminder.Drop();
            return;
        }
        _resume.Succeeded();
        record = _ledger.Add(record);
        foreach (var alert in record.Alerts) LogExplosion(logger, RunId, step, alert.Reason, alert.Detail);
        StepTelemetry.Record(span, RunId, config, TensorNames, record);
        if (_ledger.State != RunState.Running) return; // cancelled while the step ran
        if (step + 1 >= _ledger.TotalSteps) Completed();
        if (config.IsCheckpoint(step + 1, _ledger.TotalSteps) && !await Checkpoint(step + 1)) return;
        if (_ledger.State == RunState.Running) _timer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        else await Reminder.Drop();
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
        catch (Exception e) when (ResumePolicy.IsTransient(e))
        {
            if (_ledger.State == RunState.Completed) throw; // the final checkpoint failed: let the caller see it
            await RetryOrGiveUp(stepsDone, e);
            return false;
        }
    }

    async Task RetryOrGiveUp(long step, Exception e)
    {
        if (_resume.Failed() is { } delay)
        {
            LogRetry(logger, RunId, step, _resume.Failures, e.GetType().Name, e.Message);
            _timer?.Change(delay, Timeout.InfiniteTimeSpan);
            return;
        }
        Failed($"step {step}: {e.Message} ({_resume.Failures} failures in a row)");
        try
        {
            await Store(); // a re-activation must not take the failed run for a running one
        }
        catch (Exception storeError) when (ResumePolicy.IsTransient(storeError))
        {
            LogNotStored(logger, RunId, storeError.Message);
        }
        await Reminder.Drop();
    }

    /// <summary>Asks the parameter server where to go on and drops the history after that step.</summary>
    async Task<bool> TryResume()
    {
        long recorded = _ledger.StepsDone;
        ResumePoint point;
        try
        {
            point = await ParameterServer.Resume(recorded);
        }
        catch (Exception e) when (ResumePolicy.IsTransient(e))
        {
            await RetryOrGiveUp(recorded, e);
            return false;
        }
        catch (Exception e)
        {
            Failed($"resume at step {recorded}: {e.Message}");
            await Store();
            await Reminder.Drop();
            return false;
        }
        if (point.Warning is { } warning)
        {
            _ledger.PassedOverCheckpoints(warning);
            LogCheckpointWarning(logger, RunId, point.Step, warning);
        }
        if (_resume.Resumed(point.Step, recorded)) Resumed(point.Step, recorded);
        return true;
    }

    async Task Store()
    {
        var s = stored.State;
        _ledger.WriteTo(s);
        await HistoryStore.StoreAsync(_ledger.History); // pages first: the count below never runs ahead of them
        s.HistoryCount = _ledger.StepsDone;
        await stored.WriteStateAsync();
    }

    // State changes: each one method, each one log line.

    void Started(RunConfig config, int stepsPerEpoch)
    {
        _ledger.Begin(config, stepsPerEpoch, config.ToTrainingOptions().TotalSteps(stepsPerEpoch));
        LogStarted(logger, RunId, config.ToString(), _ledger.TotalSteps);
    }

    /// <summary>Running again after this grain's silo died: the clock runs, and the first tick resumes.</summary>
    void Reactivated()
    {
        _ledger.StartClock();
        _resume.Reactivated();
        StartTimer(TimeSpan.Zero);
        LogReactivated(logger, RunId, _ledger.StepsDone);
    }

    /// <summary>Going on from <paramref name="from"/> of <paramref name="recorded"/> steps: the steps after it are dropped and re-run.</summary>
    void Resumed(long from, long recorded)
    {
        _ledger.Rewind(from);
        HistoryStore.Truncated((int)from);
        if (from < recorded) LogResumed(logger, RunId, from, recorded - from);
        else LogResumedAfterReactivation(logger, RunId, from);
    }

    void Completed()
    {
        Finish(RunState.Completed, null);
        LogCompleted(logger, RunId, _ledger.StepsDone);
    }

    void Cancelled()
    {
        Finish(RunState.Cancelled, null);
        LogCancelled(logger, RunId, _ledger.StepsDone);
    }

    void Failed(string error)
    {
        Finish(RunState.Failed, error);
        LogFailed(logger, RunId, _ledger.StepsDone, error);
    }

    void Finish(RunState state, string? error)
    {
        _ledger.Finish(state, error);
        _timer?.Dispose();
        _timer = null;
    }

    void StartTimer(TimeSpan due)
        => _timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
}
