using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Thresher.Abstractions;
using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The parameter server's device-resident path: on a silo whose backend offers one
/// (<see cref="GradientBackendFactory.Resident"/>: a GPU), a run that Core's <see cref="ResidentTraining.Refusal"/>
/// accepts (one worker, unsharded, global clipping, no ladder) takes each whole step on the device — gather, forward,
/// backward, norms, clip, optimizer — and no worker is asked. Who owns θ: the device, for as long as the run trains
/// there. <see cref="_theta"/> and the optimizer state in <see cref="_step"/> are this grain's mirror of it, refreshed
/// from the device whenever something reads them (evaluation, export, checkpoint); a re-activation or a resume starts a
/// new device trainer from the mirror it loaded, so checkpoints, resume, the run record, history and telemetry are the
/// worker path's.
/// </summary>
public sealed partial class ParameterServerGrain
{
    IResidentTrainer? _resident;

    /// <summary>The device trainer for this run from step <paramref name="nextStep"/>, when the silo has one and the run fits it.</summary>
    void StartResident(RunConfig config, TrainingOptions training, DataSplit train, long nextStep)
    {
        _resident?.Dispose();
        _resident = null;
        if (_step is null || ServiceProvider.GetService<GradientBackendFactory>()?.Resident is not { } factory) return;
        if (config.ResidentRefusal() is { } refusal)
        {
            LogWorkerPath(logger, this.GetPrimaryKeyString(), refusal);
            return;
        }
        var theta = MemoryMarshal.Cast<byte, float>(_theta.AsSpan()).ToArray();
        _resident = factory.Create(training, train, new ResidentStart(theta, _step.Rule.Optimizer, nextStep));
        LogResident(logger, this.GetPrimaryKeyString(), _resident.Name, nextStep);
    }

    /// <summary>One step on the device; the record is the worker path's, with the one worker's norm the global norm and no payload bytes.</summary>
    StepRecord StepResident(long step, bool evaluate)
    {
        var started = Stopwatch.GetTimestamp();
        if (_resident!.Step != step)
            throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: the device is at step {_resident.Step}, asked for {step}");
        StepStatistics stats;
        using (var update = TrainingTelemetry.Source.StartActivity(TelemetryNames.UpdateSpan))
        {
            stats = _resident.TrainStep();
            update?.SetTag(TelemetryNames.GlobalNorm, stats.GlobalNorm);
            update?.SetTag(TelemetryNames.ClipScale, (double)stats.ClipScale);
            update?.SetTag(TelemetryNames.ClipThreshold, stats.ClipThreshold);
        }
        _nextStep = step + 1;
        _stepBytes = CommunicationBytes.Zero;
        double? accuracy = evaluate ? ResidentAccuracy() : null;
        return _lastRecord = Record(stats, [stats.GlobalNorm], accuracy, started, [LocalSilo]);
    }

    /// <summary>Test accuracy of the device's θ, evaluated on the device (no copy of θ to the host).</summary>
    double ResidentAccuracy()
    {
        using var eval = TrainingTelemetry.Source.StartActivity(TelemetryNames.EvaluateSpan);
        double accuracy = _resident!.Accuracy(_data!.Test);
        eval?.SetTag(TelemetryNames.TestAccuracy, accuracy);
        return accuracy;
    }

    /// <summary>θ, refreshed from the device when it owns θ.</summary>
    byte[] MirrorTheta()
    {
        _resident?.ReadParameters(MemoryMarshal.Cast<byte, float>(_theta.AsSpan()));
        return _theta;
    }

    /// <summary>θ and the optimizer's state, refreshed from the device when it owns them (before a snapshot).</summary>
    void MirrorAll()
    {
        MirrorTheta();
        if (_resident is not null && _step is not null) _resident.ReadOptimizer(_step.Rule.Optimizer);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _resident?.Dispose(); // frees the device's θ, state and data
        _resident = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "parameter server {RunId}: every step on the device ({Trainer}), from step {Step}")]
    static partial void LogResident(ILogger logger, string runId, string trainer, long step);

    [LoggerMessage(Level = LogLevel.Information, Message = "parameter server {RunId}: the workers compute (no device loop: {Reason})")]
    static partial void LogWorkerPath(ILogger logger, string runId, string reason);
}
