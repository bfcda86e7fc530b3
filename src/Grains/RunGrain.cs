using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thresher.Abstractions;
using Thresher.Core.Model;

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
/// the next client call, whichever comes first — loads its record, claims the run (<see cref="RunRecordStore"/>)
/// and resumes the same way. Storage failures stall the run, never end it silently: it retries with backoff,
/// says "stalled: …" in its status, and fails after the storage outage limit (RunGrain.Tick.cs). Each step is one
/// <c>train.step</c> span, a child of the client's submit span when the client traced it. The books are a
/// <see cref="RunLedger"/>, when to retry or resume is a <see cref="ResumePolicy"/>; see docs/architecture.md.
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed partial class RunGrain(
    ILogger<RunGrain> logger,
    IOptions<SiloTrainingOptions> options,
    [PersistentState("run", CheckpointStorage.Name)] IPersistentState<RunRecord> stored)
    : Grain, IRunGrain, IRemindable
{
    /// <summary>How long <see cref="Cancel"/> keeps trying to store the cancellation before it answers that it could not (yet).</summary>
    static readonly TimeSpan CancelStoreWait = TimeSpan.FromSeconds(15);

    readonly RunLedger _ledger = new();       // config, state, history, counters, detector: the books
    readonly ResumePolicy _resume = new();    // failures in a row, whether the next tick resumes first
    IGrainTimer? _timer;
    ActivityContext _parent;                  // the submitting client's span, if any
    string[]? _tensorNames;
    RunHistoryStore? _historyStore;
    RunRecordStore? _records;
    RunReminder? _reminder;
    StorageOutage? _outage;

    string RunId => this.GetPrimaryKeyString();

    IParameterServerGrain ParameterServer => GrainFactory.GetGrain<IParameterServerGrain>(RunId);

    RunHistoryStore HistoryStore => _historyStore
        ??= new RunHistoryStore(ServiceProvider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(CheckpointStorage.Name), RunId);

    RunRecordStore Records => _records ??= new RunRecordStore(stored, HistoryStore, RunId);

    RunReminder Reminder => _reminder ??= new RunReminder(this, options.Value.RunReminderSeconds, logger, RunId);

    StorageOutage Outage => _outage ??= new StorageOutage(TimeSpan.FromSeconds(options.Value.StorageOutageLimitSeconds));

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
        Records.Claim();
        _unsaved = true;
        var retry = await Persist(); // storage down: the timer stores it (the run stalls, status says so)
        await Reminder.Keep();
        StartTimer(retry ?? TimeSpan.Zero);
        return Status();
    }

    public Task<RunStatus> GetStatus() => Task.FromResult(Status());

    public Task<StepRecord[]> GetHistory(long fromStep, int max) => Task.FromResult(_ledger.Slice(fromStep, max));

    /// <summary>
    /// Durable: answers only once the cancelled state is stored. Storage down, it keeps trying for
    /// <see cref="CancelStoreWait"/>, then throws <see cref="CheckpointStorageException"/>; the run has stopped
    /// stepping anyway and its timer goes on storing the cancellation until storage answers.
    /// </summary>
    public async Task<RunStatus> Cancel()
    {
        if (_ledger.Config is null)
            throw new KeyNotFoundException($"run {RunId} does not exist");
        if (_ledger.State.IsFinished() && !_unsaved) return Status();
        if (!_ledger.State.IsFinished()) Cancelled();
        var deadline = DateTimeOffset.UtcNow + CancelStoreWait;
        while (await PersistOrStandDown() is { } delay)
        {
            if (DateTimeOffset.UtcNow + delay > deadline)
            {
                Rearm(delay);
                throw new CheckpointStorageException($"run {RunId}: stopped, but its cancellation is not stored yet ({Outage.Describe()}); it is stored as soon as storage answers — run 'cancel' again to confirm");
            }
            await Task.Delay(delay);
        }
        await Retire();
        Rearm(null);
        return Status();
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
        catch (InvalidOperationException e)
        {
            // A page is missing: without its history the run cannot tell which steps to re-run. Say so instead of
            // guessing, in memory only (a storage error instead fails this activation, and the next call tries again).
            Failed($"its stored history ({stored.State.HistoryCount} steps) could not be loaded: {e.Message}");
            _unsaved = false;
            return;
        }
        if (_ledger.State == RunState.Running)
        {
            Records.Claim(); // the first tick writes the claim before anything else, fencing out the lost activation
            _unsaved = true;
            Reactivated();
            await Reminder.Keep(); // an in-memory reminder table may have died with the silo
        }
    }

    /// <summary>
    /// The reminder re-activates a run whose silo died (the call itself does: <see cref="OnActivateAsync"/>), and
    /// restarts the timer of a live run that has none (a tick must always re-arm it; this is the safety net).
    /// A finished run (or one this silo never knew) lets its reminder go.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_ledger.Config is null || (_ledger.State.IsFinished() && !_unsaved))
        {
            await Reminder.Drop();
            return;
        }
        if (_timer is null && !_standingDown)
        {
            LogTimerRestarted(logger, RunId, _ledger.StepsDone);
            StartTimer(TimeSpan.Zero);
        }
    }

    async Task<TimeSpan?> PersistOrStandDown()
    {
        try
        {
            return await Persist();
        }
        catch (RunSupersededException e)
        {
            StandDown(e.Message);
            throw;
        }
    }

    RunStatus Status() => _ledger.Status(RunId) with { Stalled = _outage?.Describe() };

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
        _checkpointDue = true; // the final checkpoint, after the record that says completed
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

    /// <summary>The state is set now and stored by the next tick (or by <see cref="Cancel"/>); no checkpoint is owed unless completed.</summary>
    void Finish(RunState state, string? error)
    {
        _ledger.Finish(state, error);
        _unsaved = true;
        _checkpointDue = false;
    }

    /// <summary>Another activation owns the run (storage says so): stop, write nothing, declare nothing, go away.</summary>
    void StandDown(string reason)
    {
        _standingDown = true;
        _timer?.Dispose();
        _timer = null;
        LogStoodDown(logger, RunId, _ledger.StepsDone, reason);
        DeactivateOnIdle();
    }

    void StartTimer(TimeSpan due)
    {
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }
}
