using System.Diagnostics;
using System.Globalization;
using Thresher.Abstractions;
using Thresher.Client.Cluster;
using Thresher.Core.Training;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Bench;

/// <summary>
/// The embedded one-silo cluster (what `thresher train` runs) at several worker counts on one global batch.
/// Each measurement is one run driven by its grain timer; this polls the run's step counter and times windows
/// of whole steps by the wall clock, after a warm-up that covers start-up (grain activations, worker buffers,
/// JIT). A window never spans an evaluation step (the last of each epoch runs the test pass, which is not
/// training): windows end before it and start after it, so at most one epoch long. Worker threads: the silo default (cores ÷ workers, at least 1).
/// </summary>
public static class ClusterBenchmarks
{
    /// <param name="note">Receives one diagnostic line per measurement: the parameter server's own step time
    /// (workers + aggregation + clip + SGD) beside the wall time per step; the difference is the run grain's timer
    /// turn and messaging.</param>
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(BenchData data, BenchPlan plan, Action<BenchResult> report, Action<string> note, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(report);
        var silo = new SiloTrainingOptions { DataDirectory = data.CacheDirectory, WorkerThreads = 0 };
        await using var cluster = await EmbeddedCluster.StartAsync(silo, TelemetryExporter.None, dashboard: null, cancellation).ConfigureAwait(false);
        var results = new List<BenchResult>();
        foreach (var shape in plan.Cluster)
        {
            var (result, serverMs) = await MeasureAsync(cluster.Client, data, plan, shape, cancellation).ConfigureAwait(false);
            report(result);
            note(string.Create(CultureInfo.InvariantCulture,
                $"# cluster workers={shape.Workers} batch={shape.Batch}: parameter-server step {serverMs:F2} ms (median), wall {1000.0 * result.Batch / result.Median:F2} ms per step"));
            results.Add(result);
        }
        return results;
    }

    static async Task<(BenchResult Result, double ServerMilliseconds)> MeasureAsync(IClusterClient client, BenchData data, BenchPlan plan, ClusterShape shape, CancellationToken cancellation)
    {
        var (batch, workers) = (shape.Batch, shape.Workers);
        var recipe = StepBenchmarks.Recipe(batch);
        var config = RunConfigs.Default with
        {
            Dataset = data.Source,
            Layers = [.. recipe.Layers.Layers],
            Loss = "mse",
            InputScale = recipe.InputScale,
            LearningRate = recipe.LearningRate,
            Batch = batch,
            Workers = workers,
            Steps = recipe.Steps,
            Clip = recipe.Clip,
            CheckpointEvery = 0,       // checkpoints (θ, history) only at the start and the end: not the cost of a step
            AlertSpikeFactor = 1e12,   // no alerts: nothing to log while timing
            AlertSigma = 1e12,
        };
        string runId = string.Create(CultureInfo.InvariantCulture, $"bench-{workers}w-{batch}b-{Guid.NewGuid():N}");
        var run = client.GetGrain<IRunGrain>(runId);
        var status = await run.Start(config, null).ConfigureAwait(false);
        // The steps that evaluate on the test set, by the run grain's own rule: a timing window holds none.
        bool EvaluatesAfter(long s) => TrainingCadence.EvaluatesAfter(s, status.StepsPerEpoch, status.TotalSteps, config.EvalEvery);
        try
        {
            // Warm-up: start-up and the first steps, by time.
            var warm = Stopwatch.StartNew();
            var (_, step) = await ObserveAsync(run, -1, cancellation).ConfigureAwait(false);
            while (warm.Elapsed.TotalSeconds < plan.WarmupSeconds || step < 3)
                (_, step) = await ObserveAsync(run, step, cancellation).ConfigureAwait(false);
            var (t0, s0) = await ObserveAsync(run, step, cancellation).ConfigureAwait(false);
            long firstTimed = s0;
            var rates = new List<double>();
            int discarded = 0;
            while (rates.Count < plan.Reps)
            {
                if (EvaluatesAfter(s0))
                {
                    (t0, s0) = await ObserveAsync(run, s0, cancellation).ConfigureAwait(false); // start after it
                    continue;
                }
                var (t1, s1) = (t0, s0);
                do (t1, s1) = await ObserveAsync(run, s1, cancellation).ConfigureAwait(false);
                while (Stopwatch.GetElapsedTime(t0, t1).TotalSeconds < plan.RepSeconds && !EvaluatesAfter(s1));
                // A window must not hold an evaluation step (a late observation can jump over one) and must be
                // long enough for the polling jitter (≤ 1 ms per end) not to matter.
                // A loaded machine may never give a long window: after a few tries any clean one counts.
                bool longEnough = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds >= plan.RepSeconds / 4 || discarded > 2 * plan.Reps + 4;
                if (!TrainingCadence.AnyEvaluates(s0, s1, status.StepsPerEpoch, status.TotalSteps, config.EvalEvery) && longEnough)
                    rates.Add((s1 - s0) * (double)batch / Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
                else if (++discarded > 10 * plan.Reps + 50)
                    throw new InvalidOperationException($"cluster bench {workers} workers: no clean timing window in {discarded} tries ({status.StepsPerEpoch} steps per epoch, each ending in a test pass)");
                (t0, s0) = (t1, s1);
            }
            var history = await run.GetHistory(firstTimed, (int)Math.Min(s0 - firstTimed, 100_000)).ConfigureAwait(false);
            var serverMs = history.Where(r => r.TestAccuracy is null).Select(r => r.StepMilliseconds).Order().ToArray();
            var result = BenchResult.From(BenchResult.ClusterStep, $"workers={workers} batch={batch} (one silo)",
                shape.ThreadsPerWorker, batch, workers, rates, BenchResult.SamplesPerSecond);
            return (result, serverMs.Length > 0 ? serverMs[serverMs.Length / 2] : double.NaN);
        }
        finally
        {
            await run.Cancel().ConfigureAwait(false);
        }
    }

    /// <summary>The first moment at which the run has finished more steps than <paramref name="after"/>.</summary>
    static async Task<(long Timestamp, long Step)> ObserveAsync(IRunGrain run, long after, CancellationToken cancellation)
    {
        while (true)
        {
            // A status call waits for the step in progress (the run grain's timer turn), so it lands on a step boundary.
            var status = await run.GetStatus().ConfigureAwait(false);
            long now = Stopwatch.GetTimestamp();
            if (status.State != RunState.Running)
                throw new InvalidOperationException($"cluster bench run {status.RunId} is {status.State}: {status.Error}");
            if (status.Step > after) return (now, status.Step);
            await Task.Delay(1, cancellation).ConfigureAwait(false);
        }
    }
}
