using System.Globalization;
using Thresher.Abstractions;
using Thresher.Benchmarks;
using Thresher.Client.Cluster;
using Thresher.Core.Model;
using Thresher.Core.Training;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// What a step of `thresher train`'s default run (embedded silo, 2 workers, batch 128, the 784-512-256-10 MLP) costs
/// besides the gradient math, counted rather than timed (timings are noise on a shared machine): bytes allocated and
/// garbage collections per step, beside the single-process step of the same shape. In one silo θ and the gradients
/// cross grain calls by reference ([Immutable]), so a step must allocate nothing θ-sized (2.1 MB): only messages and
/// records. Per step = the difference of two runs (240 and 40 steps) over 200 steps, so start-up, the final test pass
/// and the end cancel out; the status polls that wait for each run's end are counted, measured and taken out.
/// </summary>
public sealed class ClusterStepCostTests(ITestOutputHelper output)
{
    const int ShortRun = 40, LongRun = 240;

    [Fact]
    public async Task A_cluster_step_allocates_nothing_parameter_sized()
    {
        var data = BenchData.Load(cacheDirectory: null, synthetic: false, syntheticTrainCount: 60_000);
        long parameterBytes = new ParameterLayout(MlpConfig.Tutorial).TotalLength * sizeof(float);
        var silo = new SiloTrainingOptions { DataDirectory = data.CacheDirectory };
        await using var cluster = await EmbeddedCluster.StartAsync(silo, TelemetryExporter.None, dashboard: null, CancellationToken.None);
        var (shortRun, shortPolls, _) = await CountAsync(cluster.Client, data, ShortRun);
        var (longRun, longPolls, run) = await CountAsync(cluster.Client, data, LongRun);
        var poll = await CountPollsAsync(run, 200);
        var perStep = (longRun - shortRun - poll * (longPolls - shortPolls)) / (LongRun - ShortRun);
        var core = CountCoreSteps(data, LongRun - ShortRun) / (LongRun - ShortRun);
        output.WriteLine($"data: {data.Description}");
        output.WriteLine($"status polls: {shortPolls} and {longPolls}, each {poll.Bytes:N0} bytes (taken out)");
        output.WriteLine($"cluster step (2 workers, batch 128): {perStep}");
        output.WriteLine($"core step (2 workers in one process, batch 128): {core}");
        Assert.True(perStep.Bytes < parameterBytes / 4,
            $"a cluster step allocated {perStep.Bytes:N0} bytes; θ is {parameterBytes:N0}: something θ-sized is allocated per step");
    }

    /// <summary>Allocations and collections of the whole process while the run of <paramref name="steps"/> steps runs to its end.</summary>
    static async Task<(Counts Counts, int Polls, IRunGrain Run)> CountAsync(IClusterClient client, BenchData data, int steps)
    {
        var config = RunConfigs.Default with { Dataset = data.Source, Steps = steps, CheckpointEvery = 0 };
        var run = client.GetGrain<IRunGrain>($"cost-{steps}-{Guid.NewGuid():N}");
        int polls = 0;
        var before = Counts.Now();
        await run.Start(config, null);
        await Wait.Until(async () => ++polls > 0 && (await run.GetStatus()).State != RunState.Running, TimeSpan.FromMinutes(5), $"a {steps}-step run to end");
        var counts = Counts.Now() - before;
        var status = await run.GetStatus();
        Assert.True(status.State == RunState.Completed, $"run {status.RunId}: {status.State} {status.Error}");
        return (counts, polls, run);
    }

    /// <summary>What one status poll of a finished run costs (the run's status is as large as it gets).</summary>
    static async Task<Counts> CountPollsAsync(IRunGrain run, int polls)
    {
        var before = Counts.Now();
        for (int i = 0; i < polls; i++) await run.GetStatus();
        return (Counts.Now() - before) / polls;
    }

    /// <summary>The same shape in one process: Core's <see cref="Trainer"/> with 2 workers (no grains, no messages).</summary>
    static Counts CountCoreSteps(BenchData data, int steps)
    {
        var options = new TrainingOptions { Batch = 128, Steps = TrainingOptions.MaxSteps };
        var trainer = new Trainer(options, data.Data, threads: 1, workers: 2);
        for (int i = 0; i < 3; i++) trainer.TrainStep(); // first use: the GEMM tuning, pooled buffers
        var before = Counts.Now();
        for (int i = 0; i < steps; i++) trainer.TrainStep();
        return Counts.Now() - before;
    }

    /// <summary>Bytes allocated by every thread, and Gen0/1/2 collections (each count includes the older generations').</summary>
    readonly record struct Counts(double Bytes, double Gen0, double Gen1, double Gen2)
    {
        public static Counts Now() => new(GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

        public static Counts operator -(Counts a, Counts b) => new(a.Bytes - b.Bytes, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2);

        public static Counts operator /(Counts a, int n) => new(a.Bytes / n, a.Gen0 / n, a.Gen1 / n, a.Gen2 / n);

        public static Counts operator *(Counts a, int n) => new(a.Bytes * n, a.Gen0 * n, a.Gen1 * n, a.Gen2 * n);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Bytes:N0} bytes allocated, {Gen0:F3} gen0 / {Gen1:F3} gen1 / {Gen2:F3} gen2 collections per step");
    }
}
