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
            TrainingTelemetry.SkippedSteps.Add(1, new TagList { { TelemetryNames.RunId, runId }, { "reason", "nonfinite" } });
        }
        else
        {
            TrainingTelemetry.Steps.Add(1, new TagList { { TelemetryNames.RunId, runId }, { "clipped", record.Clipped } });
            TrainingTelemetry.GlobalNorm.Record(record.GlobalNorm, tags);
            TrainingTelemetry.LastClippedNorm.Record(record.ClippedNorm, tags);
        }
        TrainingTelemetry.LastGlobalNorm.Record(record.GlobalNorm, tags);
        TrainingTelemetry.LastLoss.Record(record.Loss, tags);
        TrainingTelemetry.Samples.Add(config.Batch, tags);
        TrainingTelemetry.StepDuration.Record(record.StepMilliseconds, tags);
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
        span.SetTag(TelemetryNames.Skipped, record.Skipped);
        for (int i = 0; i < record.TensorNorms.Length; i++)
            span.SetTag(TelemetryNames.TensorNormPrefix + tensorNames[i], record.TensorNorms[i]);
        if (record.TestAccuracy is double accuracy) span.SetTag(TelemetryNames.TestAccuracy, accuracy);
        foreach (var alert in record.Alerts)
        {
            span.AddEvent(new ActivityEvent(TelemetryNames.ExplosionEvent, tags: new ActivityTagsCollection
            {
                [TelemetryNames.ExplosionReason] = alert.Reason,
                [TelemetryNames.ExplosionValue] = alert.Value,
                [TelemetryNames.ExplosionBaseline] = alert.Baseline,
            }));
        }
        if (record.Skipped) span.SetStatus(ActivityStatusCode.Error, "non-finite gradient; step skipped");
    }
}
