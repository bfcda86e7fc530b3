using System.Globalization;
using Thresher.Abstractions;
using Thresher.Client.Cluster;
using Thresher.Grains;

namespace Thresher.Client.Bench;

/// <summary>
/// `thresher bench --only scale`: W workers over S silo processes on loopback (localhost clustering, started and
/// stopped here by PID), one run per (S, W) submitted through the primary's gateway, so the run grain and the
/// parameter server live on silo 1 and the workers rotate over all S. Per configuration: samples/s (each repetition
/// Σ batch / Σ step time over a window of whole steps, from the run's own per-step wall times; evaluation steps left
/// out) and the parameter server's payload bytes per step, all and from other silos (mean per timed step, from the run's records);
/// on two or more silos also with --aggregate per-silo (<see cref="AggregatedWorkers"/>), named "… aggregate=per-silo".
/// Recipe: StepBenchmarks' (784-512-256-10, MSE on x/50, SGD, clip 15); worker threads: the silo default (cores ÷ W).
/// </summary>
public static class ScaleBenchmarks
{
    public const string Kind = "scale";
    public const string BytesPerStep = "bytes/step";

    /// <summary>Silo counts and worker counts of a full run; --quick: 1..2 × 1..2.</summary>
    public static (int[] Silos, int[] Workers) Grid(bool quick) => quick ? ([1, 2], [1, 2]) : ([1, 2, 3, 4], [1, 2, 4, 8]);

    /// <summary>
    /// Worker counts also measured with --aggregate per-silo on every silo count ≥ 2 (on one silo, or with one worker, it
    /// moves the same bytes as without); --quick: 4 (two per silo on two silos, where the parameter server's bytes halve).
    /// </summary>
    public static int[] AggregatedWorkers(bool quick) => quick ? [4] : [2, 4, 8];

    public static async Task RunAsync(BenchData data, BenchPlan plan, int batch, bool quick, Action<BenchResult> report, Action<string> note, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(note);
        var (silos, workers) = Grid(quick);
        string? dataRoot = data.Source == Core.Data.DatasetCatalog.Mnist ? null : Path.GetDirectoryName(Path.GetFullPath(data.Source));
        foreach (int s in silos)
        {
            note(string.Create(CultureInfo.InvariantCulture, $"# scale: starting {s} silo process(es) on loopback"));
            await using var cluster = await LoopbackSilos.StartAsync(s, data.CacheDirectory, dataRoot, cancellation).ConfigureAwait(false);
            await using var client = await RemoteCluster.ConnectAsync(cluster.Gateway, LoopbackSilos.ClusterId, TimeSpan.FromSeconds(30), cancellation).ConfigureAwait(false);
            var runs = workers.Select(w => (Workers: w, Aggregate: "none"))
                .Concat(s < 2 ? [] : AggregatedWorkers(quick).Select(w => (Workers: w, Aggregate: "per-silo")));
            foreach (var (w, aggregate) in runs.Where(r => r.Workers <= batch))
            {
                cancellation.ThrowIfCancellationRequested();
                var (rates, bytes) = await MeasureAsync(client.Client, data, plan, batch, w, aggregate, cancellation).ConfigureAwait(false);
                string name = string.Create(CultureInfo.InvariantCulture, $"silos={s} workers={w} batch={batch}{(aggregate == "none" ? "" : " aggregate=" + aggregate)}");
                int threads = Math.Max(1, Environment.ProcessorCount / w);
                report(BenchResult.From(Kind, name, threads, batch, w, rates, BenchResult.SamplesPerSecond));
                if (bytes is null) continue;
                report(BenchResult.From(Kind, name + " ps in", threads, batch, w, [bytes.ServerReceived], BytesPerStep));
                report(BenchResult.From(Kind, name + " ps in remote", threads, batch, w, [bytes.ServerRemoteReceived], BytesPerStep));
            }
        }
    }

    static async Task<(double[] Rates, CommunicationBytes? Bytes)> MeasureAsync(IClusterClient client, BenchData data, BenchPlan plan, int batch, int workers, string aggregate, CancellationToken cancellation)
    {
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
            CheckpointEvery = 0,
            AlertSpikeFactor = 1e12,
            AlertSigma = 1e12,
            Aggregate = aggregate,
        };
        var run = client.GetGrain<IRunGrain>(string.Create(CultureInfo.InvariantCulture, $"bench-scale-{workers}w-{batch}b-{Guid.NewGuid():N}"));
        await run.Start(config, null).ConfigureAwait(false);
        try
        {
            long warm = await StepAfterAsync(run, 3, plan.WarmupSeconds, cancellation).ConfigureAwait(false);
            long end = await StepAfterAsync(run, warm + 2L * plan.Reps, plan.RepSeconds * plan.Reps, cancellation).ConfigureAwait(false);
            var history = await run.GetHistory(warm - 1, (int)(end - warm + 1)).ConfigureAwait(false);
            return (Rates(history, batch, plan.Reps), TimedBytes(history));
        }
        finally
        {
            await run.Cancel().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The mean payload bytes per step of the timed steps (after warm-up): a pre-aggregated run's first step goes through
    /// one aggregator (no placement known yet), so the run's own mean from step 0 is not its steady figure.
    /// </summary>
    static CommunicationBytes? TimedBytes(IReadOnlyList<StepRecord> history)
    {
        var measured = history.Skip(1).Select(r => r.Bytes).OfType<CommunicationBytes>().ToArray();
        return measured.Length == 0 ? null : measured.Aggregate(CommunicationBytes.Zero, (a, b) => a + b).PerStep(measured.Length);
    }

    /// <summary>Waits until the run has recorded at least <paramref name="minSteps"/> steps and <paramref name="seconds"/> have passed; returns its step count.</summary>
    static async Task<long> StepAfterAsync(IRunGrain run, long minSteps, double seconds, CancellationToken cancellation)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = await run.GetStatus().ConfigureAwait(false);
            if (status.State != RunState.Running)
                throw new InvalidOperationException($"scale bench run {status.RunId} is {status.State}: {status.Error}");
            if (status.Step >= minSteps && DateTime.UtcNow >= until) return status.Step;
            await Task.Delay(20, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <paramref name="reps"/> rates from consecutive records (the first only gives the start time): each is
    /// Σ batch / Σ Δwall over its share of the steps, leaving out steps that evaluated (their test pass is not training).
    /// </summary>
    internal static double[] Rates(IReadOnlyList<StepRecord> history, int batch, int reps)
    {
        ArgumentNullException.ThrowIfNull(history);
        int steps = history.Count - 1;
        if (steps < reps) throw new InvalidOperationException($"scale bench: {steps} timed steps for {reps} repetitions");
        var rates = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            double seconds = 0;
            long samples = 0;
            for (int i = 1 + r * steps / reps; i <= (r + 1) * steps / reps; i++)
            {
                if (history[i].TestAccuracy is not null || history[i].WallSeconds is not double now || history[i - 1].WallSeconds is not double before) continue;
                seconds += now - before;
                samples += batch;
            }
            rates[r] = seconds > 0 ? samples / seconds : double.NaN;
        }
        return rates;
    }
}
