using System.Diagnostics;
using Thresher.Abstractions;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The run grain's timer tick: store what is owed, resume if needed, take one step, checkpoint on the cadence.
/// Invariant: a tick never ends without re-arming the timer or the run being finished and stored (<see cref="Rearm"/>
/// in a finally), so no exception — storage, Orleans, a bug — can leave a running run without its next tick.
/// </summary>
public sealed partial class RunGrain
{
    bool _unsaved;        // the books hold a change (a claim, a finish, a checkpoint's history) not yet in storage
    bool _checkpointDue;  // the parameter server's checkpoint is owed, after the record (which reaches the same step)
    bool _standingDown;   // another activation owns the run: this one writes nothing more

    async Task Tick(CancellationToken cancellation)
    {
        TimeSpan? next = TimeSpan.FromSeconds(1);
        try
        {
            next = await TickOnce(cancellation);
        }
        catch (RunSupersededException e)
        {
            StandDown(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            LogTickFailed(logger, RunId, _ledger.StepsDone, e.GetType().Name, e.Message); // a bug: the run goes on after a second
        }
        finally
        {
            if (!cancellation.IsCancellationRequested) Rearm(next);
        }
    }

    /// <summary>One tick's work; returns the delay before the next tick (null: at once, or none when the run is over).</summary>
    async Task<TimeSpan?> TickOnce(CancellationToken cancellation)
    {
        if (await Settle() is { } wait) return wait;
        if (_ledger.State != RunState.Running || _ledger.Config is not { } config) return null;
        if (_resume.MustResume && await TryResume() is { } retry) return retry;
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
            return RetryOrGiveUp(step, e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            await Records.VerifyOwnerAsync(); // a superseded activation declares nothing
            Failed($"step {step}: {e.Message}");
            return null;
        }
        _resume.Succeeded();
        record = _ledger.Add(record);
        if (record.RewindTo is long to) // the response ladder rewound θ: the history goes on from that step
        {
            HistoryStore.Truncated((int)to);
            LogRewind(logger, RunId, step, to, record.Spike);
            StepTelemetry.Record(span, RunId, config, TensorNames, record);
            return null;
        }
        foreach (var alert in record.Alerts) LogExplosion(logger, RunId, step, alert.Reason, alert.Detail);
        StepTelemetry.Record(span, RunId, config, TensorNames, record);
        if (_ledger.State != RunState.Running) return null; // cancelled while the step ran
        if (step + 1 >= _ledger.TotalSteps) Completed();
        else if (config.IsCheckpoint(step + 1, _ledger.TotalSteps)) (_unsaved, _checkpointDue) = (true, true);
        return await Settle();
    }

    /// <summary><see cref="Persist"/>, and once a finished run is stored, its reminder and its place among the active runs go.</summary>
    async Task<TimeSpan?> Settle()
    {
        if (await Persist() is { } wait) return wait;
        if (_ledger.State != RunState.Running) await Retire();
        return null;
    }

    /// <summary>A finished, stored run needs waking no more: drops its reminder and tells the registry (best effort: a lost call only wakes it once more).</summary>
    async Task Retire()
    {
        await Reminder.Drop();
        try
        {
            await GrainFactory.GetGrain<IRunRegistryGrain>(0).Ended(RunId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotRetired(logger, RunId, e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// Stores what the run owes storage — its record (and history pages), then the parameter server's checkpoint —
    /// before it steps on. Null when all is stored; else the delay before the next try (the run is stalled). A
    /// failure is the storage's unless storage shows another owner (<see cref="RunSupersededException"/>, thrown).
    /// </summary>
    async Task<TimeSpan?> Persist()
    {
        if (!_unsaved && !_checkpointDue) return null;
        try
        {
            if (_unsaved)
            {
                await Records.StoreAsync(_ledger);
                _unsaved = false;
            }
            if (_checkpointDue)
            {
                await ParameterServer.Checkpoint();
                _checkpointDue = false;
            }
        }
        catch (RunSupersededException) when (!_unsaved)
        {
            await Records.VerifyOwnerAsync(); // the parameter server was superseded: is this run grain too?
            return StorageFailed(new CheckpointStorageException($"run {RunId}: its parameter server's checkpoint slots were written by another activation"));
        }
        catch (Exception e) when (e is not (RunSupersededException or OperationCanceledException))
        {
            return StorageFailed(e);
        }
        if (Outage.Ongoing)
        {
            LogStorageRecovered(logger, RunId, (DateTimeOffset.UtcNow - Outage.Since!.Value).TotalSeconds, Outage.Failures);
            Outage.Recovered();
            TrainingTelemetry.StalledSeconds.Record(0, new TagList { { TelemetryNames.RunId, RunId } });
        }
        return null;
    }

    /// <summary>A write failed: the run stalls and retries with backoff; past the outage limit a running or completed run fails.</summary>
    TimeSpan StorageFailed(Exception e)
    {
        var delay = Outage.Failed(e);
        var tags = new TagList { { TelemetryNames.RunId, RunId } };
        TrainingTelemetry.StorageFailures.Add(1, tags);
        TrainingTelemetry.StalledSeconds.Record((DateTimeOffset.UtcNow - Outage.Since!.Value).TotalSeconds, tags);
        if (Outage.Failures == 1) LogStalled(logger, RunId, _ledger.StepsDone, e.GetType().Name, e.Message);
        if (Outage.Exceeded && _ledger.State is RunState.Running or RunState.Completed)
            Failed($"{Outage.Describe()}: longer than the storage outage limit of {Outage.Limit.TotalSeconds:0} s");
        return delay;
    }

    /// <summary>The next tick after <paramref name="next"/>, while there is work: a running run, or a state still to store.</summary>
    void Rearm(TimeSpan? next)
    {
        if (_standingDown) return;
        if (_ledger.State != RunState.Running && !_unsaved && !_checkpointDue)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }
        if (_timer is null) StartTimer(next ?? TimeSpan.Zero);
        else _timer.Change(next ?? TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    /// <summary>After an Orleans failure: the delay before the next try (which resumes first), or null when the run failed.</summary>
    TimeSpan? RetryOrGiveUp(long step, Exception e)
    {
        if (_resume.Failed() is { } delay)
        {
            LogRetry(logger, RunId, step, _resume.Failures, e.GetType().Name, e.Message);
            return delay;
        }
        Failed($"step {step}: {e.Message} ({_resume.Failures} failures in a row)");
        return null;
    }

    /// <summary>Asks the parameter server where to go on and drops the history after that step; a delay when it must wait.</summary>
    async Task<TimeSpan?> TryResume()
    {
        long recorded = _ledger.StepsDone;
        ResumePoint point;
        try
        {
            point = await ParameterServer.Resume(recorded);
        }
        catch (Exception e) when (ResumePolicy.IsTransient(e))
        {
            return RetryOrGiveUp(recorded, e) ?? TimeSpan.Zero;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Records.VerifyOwnerAsync(); // a superseded activation declares nothing
            Failed($"resume at step {recorded}: {e.Message}");
            return TimeSpan.Zero;
        }
        if (point.Warning is { } warning)
        {
            _ledger.PassedOverCheckpoints(warning);
            LogCheckpointWarning(logger, RunId, point.Step, warning);
        }
        if (_resume.Resumed(point.Step, recorded)) Resumed(point.Step, recorded);
        return null;
    }
}
