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
/// garbage collections per parameter-server step (its call, the 2 worker calls, the record), beside the single-process
/// step of the same shape. In one silo θ and the gradients cross grain calls by reference ([Immutable]), so a step must
/// allocate nothing θ-sized (2.1 MB): only messages and records, about 10 KB.
/// </summary>
public sealed class ClusterStepCostTests(ITestOutputHelper output)
{
    const int Steps = 100;

    [Fact]
    public async Task A_cluster_step_allocates_nothing_parameter_sized()
    {
        var data = BenchData.Load(cacheDirectory: null, synthetic: false, syntheticTrainCount: 60_000);
        long parameterBytes = new ParameterLayout(MlpConfig.Tutorial).TotalLength * sizeof(float);
        var silo = new SiloTrainingOptions { DataDirectory = data.CacheDirectory };
        await using var cluster = await EmbeddedCluster.StartAsync(silo, TelemetryExporter.None, dashboard: null, CancellationToken.None);
        var config = RunConfigs.Default with { Dataset = data.Source, Steps = 100_000, CheckpointEvery = 0 };
        var server = cluster.Client.GetGrain<IParameterServerGrain>($"cost-{Guid.NewGuid():N}");
        await server.Initialize(config, null);
        for (int s = 0; s < 5; s++) await server.Step(s, evaluate: false); // first use: activations, GEMM tuning, JIT

        using var sampler = new AllocationSampler();
        sampler.Start();
        var before = Counts.Now();
        for (int s = 5; s < 5 + Steps; s++) await server.Step(s, evaluate: false);
        var cluster1 = (Counts.Now() - before) / Steps;
        sampler.Stop();
        var core = CountCoreSteps(data, Steps) / Steps;

        output.WriteLine($"data: {data.Description}");
        output.WriteLine($"cluster step (2 workers, batch 128): {cluster1}");
        output.WriteLine($"core step (2 workers in one process, batch 128): {core}");
        output.WriteLine("allocation samples (one per ~100 KB): " + string.Join(", ", sampler.Top(8).Select(t => $"{t.Type} {t.Samples}")));
        Assert.True(cluster1.Bytes < parameterBytes / 4,
            $"a cluster step allocated {cluster1.Bytes:N0} bytes; θ is {parameterBytes:N0}: something θ-sized is allocated per step");
    }

    /// <summary>The same shape in one process: Core's <see cref="Trainer"/> with 2 workers (no grains, no messages).</summary>
    static Counts CountCoreSteps(BenchData data, int steps)
    {
        var options = new TrainingOptions { Batch = 128, Steps = TrainingOptions.MaxSteps };
        var trainer = new Trainer(options, data.Data, threads: 1, workers: 2);
        for (int i = 0; i < 5; i++) trainer.TrainStep(); // first use: the GEMM tuning, pooled buffers
        var before = Counts.Now();
        for (int i = 0; i < steps; i++) trainer.TrainStep();
        return Counts.Now() - before;
    }

    /// <summary>Bytes allocated by every thread of the process, and Gen0/1/2 collections (each count includes the older generations').</summary>
    readonly record struct Counts(double Bytes, double Gen0, double Gen1, double Gen2)
    {
        public static Counts Now() => new(GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

        public static Counts operator -(Counts a, Counts b) => new(a.Bytes - b.Bytes, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2);

        public static Counts operator /(Counts a, int n) => new(a.Bytes / n, a.Gen0 / n, a.Gen1 / n, a.Gen2 / n);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Bytes:N0} bytes allocated, {Gen0:F2} gen0 / {Gen1:F2} gen1 / {Gen2:F2} gen2 collections per step");
    }
}
