using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Thresher.Abstractions;
using Thresher.Core.Async;
using Thresher.Core.Model;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// --sync ssp: bounded-staleness asynchronous training. Each worker loops on its own — read (clock, version, a copy of θ) when
/// the gate lets it, compute its share of its clock's batch, push — and the server takes every push when it arrives (this
/// grain's turns serialise them) through Core's <see cref="StaleSynchronousServer"/>, recording its staleness (span
/// <see cref="SspTelemetry.PushSpan"/>, histogram <see cref="SspTelemetry.Staleness"/>). The loops run as tasks of this
/// activation; a Step call lifts their limit and waits for its clock. A step is one clock: W pushes, one per worker.
/// </summary>
public sealed partial class ParameterServerGrain
{
    SspProgress? _ssp;

    /// <summary>The update rule of an unsharded run, synchronous or ssp.</summary>
    UpdateRule Rule => _step?.Rule ?? _ssp?.Server.Rule ?? throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()} was not initialised");

    /// <summary>ssp's state around θ at step <paramref name="nextStep"/> (every worker's clock: a checkpoint's clocks are equal).</summary>
    void SetupSsp(RunConfig config, TrainingOptions training, ParameterLayout layout, byte[] theta, OptimizerState? optimizerState, byte[] clipState, long nextStep, long totalSteps)
    {
        var rule = training.CreateUpdateRule(layout, totalSteps);
        if (optimizerState is { } state) rule.Optimizer.Restore(state.MomentumBuffer, state.ExpAvg, state.ExpAvgSq, state.Steps);
        if (clipState.Length > 0) rule.Policy.RestoreState(clipState);
        var server = new StaleSynchronousServer(rule, config.Workers, config.StalenessBound, theta, nextStep, UpdateThreads, training.OmitBatches);
        _theta = theta;
        _step = null;
        _ssp = new SspProgress(server, totalSteps, t => config.IsCheckpoint(t, totalSteps));
    }

    /// <summary>Step <paramref name="step"/> in ssp: lets the workers run up to its limit and waits until every worker pushed clock <paramref name="step"/>.</summary>
    async Task<StepRecord> StepSsp(long step, bool evaluate)
    {
        var ssp = _ssp!;
        ssp.Fault = null; // asked again after a failure: the failed push's worker reads its clock again
        ssp.Requested = Math.Max(ssp.Requested, step);
        PumpSsp();
        CompletedClock? done;
        while (!ssp.Completed.TryGetValue(step, out done))
        {
            if (ssp.Fault is { } fault) ExceptionDispatchInfo.Throw(fault);
            await ssp.Changed;
        }
        foreach (long old in ssp.Completed.Keys.Where(c => c <= step).ToArray()) ssp.Completed.Remove(old);
        _nextStep = step + 1;
        double? accuracy = evaluate ? Evaluate(_theta) : null; // θ now: its clocks up to step, and pushes of later clocks already in
        StepTraffic.RecordServer(this.GetPrimaryKeyString(), done.Bytes);
        return _lastRecord = SspRecord(done, accuracy);
    }

    /// <summary>Starts every worker the gate and the limit let start, each on a copy of θ.</summary>
    void PumpSsp()
    {
        var ssp = _ssp!;
        if (ssp.Fault is not null) return;
        long limit = ssp.Limit;
        for (int w = 0; w < _workers.Length; w++)
            if (ssp.Server.Read(w, limit) is { } read) _ = RunPush(ssp, read);
    }

    /// <summary>One worker's clock: its gradient (with the usual retry), then the push, then whatever may start next.</summary>
    async Task RunPush(SspProgress ssp, SspRead read)
    {
        try
        {
            int w = read.Worker;
            var request = new GradientRequest(this.GetPrimaryKeyString(), ssp.Server.BatchOf(read.Clock), w, read.Parameters);
            var reply = await WorkerCalls.ComputeWithRetry(_workers[w], _setups[w], request, WorkerTimeout);
            if (!ReferenceEquals(ssp, _ssp)) return; // the run's state was rebuilt (a resume) while this push was out: dropped
            TakePush(ssp, read, reply);
        }
        catch (Exception e) when (ReferenceEquals(ssp, _ssp))
        {
            if (ssp.Server.Clocks.InFlight(read.Worker)) ssp.Server.Abandon(read);
            ssp.Fault ??= e;
        }
        catch (Exception) { } // a push of a replaced state: nobody waits for it
        finally
        {
            ssp.Signal();
        }
        if (ReferenceEquals(ssp, _ssp)) PumpSsp();
    }

    /// <summary>The push, applied (or kept for its clock at s = 0), traced and counted; a completed clock is kept for its Step call.</summary>
    void TakePush(SspProgress ssp, SspRead read, GradientResult reply)
    {
        using var span = TrainingTelemetry.Source.StartActivity(SspTelemetry.PushSpan);
        var part = new WorkerPart(Float32Gradient(reply), new WorkerGradientResult(reply.Samples, reply.LossSum, reply.LocalNorm)); // --wire bf16: decoded
        var outcome = ssp.Server.Push(read, part);
        span?.SetTag(TelemetryNames.RunId, this.GetPrimaryKeyString());
        span?.SetTag(TelemetryNames.Worker, read.Worker);
        span?.SetTag(SspTelemetry.Clock, read.Clock);
        span?.SetTag(SspTelemetry.ReadVersion, read.Version);
        span?.SetTag(SspTelemetry.Staleness, outcome.Staleness);
        SspTelemetry.StalenessHistogram.Record(outcome.Staleness, new TagList { { TelemetryNames.RunId, this.GetPrimaryKeyString() } });
        ssp.Silos[read.Worker] = reply.Silo;
        ssp.Bytes += StepTraffic.Of([reply], read.Parameters.LongLength, LocalSilo);
        foreach (var clock in outcome.Completed)
        {
            double ms = Stopwatch.GetElapsedTime(ssp.LastCompleted).TotalMilliseconds;
            ssp.Completed[clock.Statistics.Step] = new CompletedClock(clock, (string[])ssp.Silos.Clone(), ssp.Bytes, ms);
            ssp.LastCompleted = Stopwatch.GetTimestamp();
            ssp.Bytes = CommunicationBytes.Zero;
        }
    }

    /// <summary>
    /// Before an ssp checkpoint: waits until no push is in flight and every clock equals the next step (the limit's checkpoint
    /// barrier brings them there), so the checkpoint is θ, optimizer and clip state at one version with its clocks.
    /// </summary>
    async Task QuiesceSsp()
    {
        var ssp = _ssp!;
        while (!ssp.Server.Clocks.AlignedAt(_nextStep))
        {
            if (ssp.Fault is { } fault) ExceptionDispatchInfo.Throw(fault);
            if (ssp.Server.Clocks.Idle && Enumerable.Range(0, _workers.Length).All(w => !ssp.Server.Clocks.MayStart(w, ssp.Limit)))
                throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: an ssp checkpoint at step {_nextStep} needs every clock there; they are {string.Join(',', ssp.Server.Clocks.Snapshot())}");
            PumpSsp();
            await ssp.Changed;
        }
    }

    StepRecord SspRecord(CompletedClock done, double? accuracy)
    {
        var stats = done.Record.Statistics;
        return new(stats.Step, _schedule!.EpochOf(stats.BatchId), stats.Loss, stats.GlobalNorm, stats.ClippedNorm, stats.ClipScale,
            stats.Clipped, stats.Skipped, stats.TensorNorms, done.Record.WorkerNorms, accuracy, done.Milliseconds, done.Silos)
        {
            LearningRate = stats.LearningRate,
            ClipThreshold = stats.ClipThreshold,
            BatchId = stats.BatchId,
            Bytes = done.Bytes,
            Staleness = done.Record.Staleness,
        };
    }
}
