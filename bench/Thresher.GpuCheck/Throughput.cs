using System.Diagnostics;
using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;
using Thresher.Gpu;

namespace Thresher.GpuCheck;

/// <summary>Samples per second, warm, per batch: the CPU backend, and per GEMM engine the worker step and the device-resident step.</summary>
static class Throughput
{
    /// <summary>Prints the table; returns the device loop's samples/s per (engine, batch).</summary>
    public static Dictionary<(string Engine, int Batch), double> Run(Report report, GpuRuntime gpu, IReadOnlyList<Engine> engines, DataSplit train, CheckScale scale)
    {
        var device = new Dictionary<(string Engine, int Batch), double>();
        report.Line($"throughput (samples/s; model {scale.Layers}; worker = gather + forward + backward + gradient to host, the cluster's GPU step;");
        report.Line("  device = the whole training step on the device incl. norms, clip and AdamW, one host sync; cpu = SIMD worker step):");
        report.Line($"  {"batch",6} {"cpu 2 thr",11} {$"cpu {Environment.ProcessorCount} thr",11} " + string.Join(" ", engines.Select(e => $"{"worker " + e.Name,20} {"device " + e.Name,20}")));
        foreach (int batch in scale.Batches)
        {
            var options = Presets.Fast with { Layers = scale.Layers, Batch = batch, Epochs = 1000 };
            var row = new List<string>
            {
                $"{Worker(options, train, GradientBackendFactory.Cpu, 2, scale.Seconds),11:n0}",
                $"{Worker(options, train, GradientBackendFactory.Cpu, Environment.ProcessorCount, scale.Seconds),11:n0}",
            };
            foreach (var engine in engines)
            {
                row.Add($"{Worker(options, train, GradientBackends.ForRuntime(gpu, engine.Make, engine.Name), 1, scale.Seconds),20:n0}");
                device[(engine.Name, batch)] = DeviceSteps(gpu, engine, options, train, scale.Seconds);
                row.Add($"{device[(engine.Name, batch)],20:n0}");
            }
            report.Line($"  {batch,6} " + string.Join(" ", row));
        }
        return device;
    }

    static double Worker(TrainingOptions options, DataSplit train, GradientBackendFactory factory, int threads, double seconds)
    {
        using var worker = new WorkerGradient(options, train, 1, 0, false, threads, factory);
        var theta = new float[worker.ParameterCount];
        Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        var grad = new float[theta.Length];
        for (int i = 0; i < 3; i++) worker.Compute(i, theta, grad, withLocalNorm: false); // warm-up: JIT, kernel load, data upload
        var clock = Stopwatch.StartNew();
        long samples = 0;
        for (int step = 3; clock.Elapsed.TotalSeconds < seconds || step < 8; step++) samples += worker.Compute(step, theta, grad, withLocalNorm: false).Samples;
        return samples / clock.Elapsed.TotalSeconds;
    }

    static double DeviceSteps(GpuRuntime gpu, Engine engine, TrainingOptions options, DataSplit train, double seconds)
    {
        using var trainer = new DeviceTrainer(gpu, options, train, engine.Make, null);
        for (int i = 0; i < 3; i++) trainer.TrainStep();
        var clock = Stopwatch.StartNew();
        long steps = 0;
        while (clock.Elapsed.TotalSeconds < seconds || steps < 5)
        {
            trainer.TrainStep();
            steps++;
        }
        return steps * options.Batch / clock.Elapsed.TotalSeconds;
    }
}
