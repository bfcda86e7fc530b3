using System.Diagnostics;
using Thresher.Abstractions;
using Thresher.Core.Telemetry;

namespace Thresher.Grains;

/// <summary>Writes a finished step onto its <c>train.step</c> span and into the metrics (names: <see cref="TelemetryNames"/>).</summary>
static class StepTelemetry
{
    /// <param name="tensorNames">w1, b1, … in layout order (one per entry of <see cref="StepRecord.TensorNorms"/>).</param>
    public static void Record(Activity? span, string runId, RunConfig config, IReadOnlyList<string> tensorNames, StepRecord record)
    {
        var tags = new TagList { { TelemetryNames.RunId, runId } };
        if (record.Skipped)
        {
            TrainingTelemetry.SkippedSteps.Add(1, new TagList { { TelemetryNames.RunId, runId }, { "reason", record.Action is "skip" or "rewind" ? "spike" : "nonfinite" } });
        }
        else
        {
            TrainingTelemetry.Steps.Add(1, new TagList { { TelemetryNames.RunId, runId }, { "clipped", record.Clipped } });
            TrainingTelemetry.GlobalNorm.Record(record.GlobalNorm, tags);
            TrainingTelemetry.LastClippedNorm.Record(record.ClippedNorm, tags);
        }
        TrainingTelemetry.LastGlobalNorm.Record(record.GlobalNorm, tags);
        TrainingTelemetry.LastLoss.Record(record.Loss, tags);
        if (double.IsFinite(record.ClipThreshold))
            TrainingTelemetry.LastClipThreshold.Record(record.ClipThreshold, new TagList { { TelemetryNames.RunId, runId }, { TelemetryNames.ClipPolicy, config.ClipPolicy } });
        TrainingTelemetry.Samples.Add(config.Batch, tags);
        TrainingTelemetry.StepDuration.Record(record.StepMilliseconds, tags);
        if (record.Spike is not null)
            TrainingTelemetry.Spikes.Add(1, new TagList { { TelemetryNames.RunId, runId }, { "action", record.Action }, { "verdict", record.Verdict is "" ? "none" : record.Verdict } });
        foreach (var alert in record.Alerts)
            TrainingTelemetry.Explosions.Add(1, new TagList { { TelemetryNames.RunId, runId }, { "reason", alert.Reason } });

        if (span is null) return;
        span.SetTag(TelemetryNames.RunId, runId);
        span.SetTag(TelemetryNames.Step, record.Step);
        span.SetTag(TelemetryNames.Workers, config.Workers);
        span.SetTag(TelemetryNames.Loss, record.Loss);
        span.SetTag(TelemetryNames.LearningRate, record.LearningRate);
        span.SetTag(TelemetryNames.GlobalNorm, record.GlobalNorm);
        span.SetTag(TelemetryNames.GlobalNormClipped, record.ClippedNorm);
        span.SetTag(TelemetryNames.ClipNorm, config.Clip is float c ? c : null);
        span.SetTag(TelemetryNames.ClipScale, (double)record.ClipScale);
        span.SetTag(TelemetryNames.ClipApplied, record.Clipped);
        span.SetTag(TelemetryNames.ClipPolicy, config.ClipPolicy);
        span.SetTag(TelemetryNames.ClipThreshold, record.ClipThreshold);
        span.SetTag(TelemetryNames.Skipped, record.Skipped);
        for (int i = 0; i < record.TensorNorms.Length; i++)
            span.SetTag(TelemetryNames.TensorNormPrefix + tensorNames[i], record.TensorNorms[i]);
        if (record.TestAccuracy is double accuracy) span.SetTag(TelemetryNames.TestAccuracy, accuracy);
        span.SetTag(TelemetryNames.BatchId, record.BatchId);
        if (record.Spike is not null) span.SetTag(TelemetryNames.SpikeAction, record.Action);
        if (record.Culprit is int culprit)
        {
            span.SetTag(TelemetryNames.SpikeCulprit, culprit);
            span.SetTag(TelemetryNames.SpikeVerdict, record.Verdict);
            if (record.Verdict == "fault" && culprit < record.WorkerSilos.Length) span.SetTag(TelemetryNames.SpikeSuspectSilo, record.WorkerSilos[culprit]);
        }
        if (record.MovedOffSilo is { } movedOff) span.SetTag(TelemetryNames.SpikeMovedOffSilo, movedOff);
        foreach (var alert in record.Alerts)
        {
            span.AddEvent(new ActivityEvent(TelemetryNames.ExplosionEvent, tags: new ActivityTagsCollection
            {
                [TelemetryNames.ExplosionReason] = alert.Reason,
                [TelemetryNames.ExplosionValue] = alert.Value,
                [TelemetryNames.ExplosionBaseline] = alert.Baseline,
            }));
        }
        if (record.Skipped) span.SetStatus(ActivityStatusCode.Error, record.Spike ?? "non-finite gradient; step skipped");
    }
}
