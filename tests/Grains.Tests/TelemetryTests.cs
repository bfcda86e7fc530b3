using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Thresher.Abstractions;
using Thresher.Core.Telemetry;
using Thresher.Hosting.Telemetry;

namespace Thresher.Grains.Tests;

/// <summary>What an OpenTelemetry backend receives for a run: one train.step span per step, carrying the norms.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TelemetryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Every_step_has_one_train_step_span_with_the_history_norms_and_worker_spans_beneath_it()
    {
        var collector = new SpanCollector();
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TelemetryNames.Source).AddSource(TelemetrySetup.OrleansSources)
            .AddProcessor(new SimpleActivityExportProcessor(collector))
            .Build())
        {
            string runId = $"telemetry-{Guid.NewGuid():N}";
            var run = fixture.Client.GetGrain<IRunGrain>(runId);
            using (var submit = TrainingTelemetry.Source.StartActivity(TelemetryNames.SubmitSpan, ActivityKind.Client))
            {
                Assert.NotNull(submit);
                await run.Start(RunConfigs.Default with
                {
                    Dataset = fixture.DataDirectory, Layers = [ClusterFixture.Features, 24, 10], Batch = 32, Workers = 2, Steps = 12,
                    Init = "he", LearningRate = 0.5f, Clip = 0.5f,
                }, null);
            }
            await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the run to finish", s => $"{s.State} at step {s.Step}");
            var history = await run.GetHistory(0, 100);
            // Status answers between turns (it interleaves), so the last step's span may still be closing.
            await Wait.Until(() =>
            {
                tracing.ForceFlush();
                return StepSpans(collector.Snapshot(), runId) >= history.Length;
            }, TimeSpan.FromSeconds(10), $"a train.step span for each of the {history.Length} steps");
            var spans = collector.Snapshot();

            var mine = spans.Where(s => s.GetTagItem(TelemetryNames.RunId) as string == runId).ToList();
            var steps = mine.Where(s => s.OperationName == TelemetryNames.StepSpan).OrderBy(s => (long)s.GetTagItem(TelemetryNames.Step)!).ToList();
            Assert.Equal(history.Length, steps.Count);
            var submitSpan = spans.Single(s => s.OperationName == TelemetryNames.SubmitSpan && s.TraceId == steps[0].TraceId);
            for (int i = 0; i < history.Length; i++)
            {
                var span = steps[i];
                var record = history[i];
                Assert.Equal(record.Step, (long)span.GetTagItem(TelemetryNames.Step)!);
                Assert.Equal(record.GlobalNorm, (double)span.GetTagItem(TelemetryNames.GlobalNorm)!);
                Assert.Equal(record.ClippedNorm, (double)span.GetTagItem(TelemetryNames.GlobalNormClipped)!);
                Assert.Equal(record.Loss, (double)span.GetTagItem(TelemetryNames.Loss)!);
                Assert.Equal(record.Clipped, (bool)span.GetTagItem(TelemetryNames.ClipApplied)!);
                Assert.Equal((double)record.ClipScale, (double)span.GetTagItem(TelemetryNames.ClipScale)!);
                string[] names = ["w1", "b1", "w2", "b2"];
                for (int t = 0; t < names.Length; t++)
                    Assert.Equal(record.TensorNorms[t], (double)span.GetTagItem(TelemetryNames.TensorNormPrefix + names[t])!);
                Assert.Equal(submitSpan.TraceId, span.TraceId); // the whole run is one trace under the submit span
                Assert.True(IsBeneath(span, submitSpan, spans), $"train.step {i} is not beneath the submit span");

                var workers = mine.Where(s => s.OperationName == TelemetryNames.WorkerSpan && (long)s.GetTagItem(TelemetryNames.Step)! == record.Step).ToList();
                Assert.Equal(2, workers.Count);
                Assert.All(workers, w => Assert.True(IsBeneath(w, span, spans), $"worker span of step {record.Step} is not beneath its train.step span"));
                Assert.All(workers, w => Assert.Equal(16, (int)w.GetTagItem(TelemetryNames.BatchSize)!));
            }
            Assert.Contains(history, h => h.Clipped);
        }
    }

    static int StepSpans(IReadOnlyList<Activity> spans, string runId) =>
        spans.Count(s => s.OperationName == TelemetryNames.StepSpan && s.GetTagItem(TelemetryNames.RunId) as string == runId);

    static bool IsBeneath(Activity span, Activity ancestor, IReadOnlyList<Activity> all)
    {
        var byId = all.Where(a => a.TraceId == ancestor.TraceId).GroupBy(a => a.SpanId).ToDictionary(g => g.Key, g => g.First());
        var current = span;
        for (int depth = 0; depth < 32 && current.TraceId == ancestor.TraceId; depth++)
        {
            if (current.ParentSpanId == ancestor.SpanId) return true;
            if (!byId.TryGetValue(current.ParentSpanId, out var parent)) return false;
            current = parent;
        }
        return false;
    }
}
