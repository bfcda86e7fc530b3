using System.Diagnostics;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;
using Thresher.Gpu;

namespace Thresher.GpuCheck;

/// <summary>
/// Time to 98 % test accuracy: the device-resident loop per GEMM engine and recipe, and the cluster's split (worker
/// step on the GPU, update on the host) as the `train --backend cuda` run does it minus Orleans. The clock counts
/// training steps only; each epoch-end evaluation (θ to the host, Core's evaluator on all cores) is timed apart.
/// </summary>
static class TimeToAccuracy
{
    /// <summary>
    /// The fast preset, and a GPU variant at twice the batch (the GPU is launch-bound at 512): on the CPU trainer it reaches
    /// 98.32 % after 6 epochs, 98 % first at step 289 (end of epoch 5); the device loop follows that trajectory.
    /// </summary>
    public static IReadOnlyList<(string Name, TrainingOptions Options)> Recipes { get; } =
    [
        ("fast", Presets.Fast),
        ("fast-b1024-lr6e-3", Presets.Fast with { Batch = 1024, LearningRate = 6e-3f, Epochs = 6 }),
    ];

    /// <summary>Prints a line per (recipe, engine); returns the seconds to 98 % (null: not reached) per (recipe, engine).</summary>
    public static Dictionary<(string Recipe, string Engine), double?> Device(Report report, GpuRuntime gpu, IReadOnlyList<Engine> engines, Dataset data)
    {
        var result = new Dictionary<(string Recipe, string Engine), double?>();
        foreach (var (name, options) in Recipes)
            foreach (var engine in engines)
            {
                using var trainer = new DeviceTrainer(gpu, options, data.Train, engine.Make, null);
                var train = new Stopwatch();
                var line = new List<string>();
                double? at98 = null;
                while (!trainer.Done)
                {
                    train.Start();
                    trainer.TrainStep();
                    train.Stop();
                    if (trainer.Step % trainer.Schedule.StepsPerEpoch != 0 && !trainer.Done) continue;
                    double accuracy = trainer.Evaluate(data.Test, Environment.ProcessorCount);
                    line.Add($"{accuracy:P2}@{train.Elapsed.TotalSeconds:f3}s");
                    if (accuracy >= 0.98 && at98 is null) at98 = train.Elapsed.TotalSeconds;
                }
                result[(name, engine.Name)] = at98;
                report.Line($"time to 98 % ({name}, device loop, {engine.Name}): {(at98 is double t ? $"{t:f3} s" : "not reached")}; " +
                    $"{trainer.TotalSteps} steps in {train.Elapsed.TotalSeconds:f3} s, {trainer.StepSyncs} host syncs ({(double)trainer.StepSyncs / trainer.TotalSteps:f2}/step); per epoch: {string.Join(", ", line)}");
            }
        return result;
    }

    /// <summary>The cluster's split without Orleans: the GPU worker backend, the host's update rule (as the parameter server).</summary>
    public static void WorkerSplit(Report report, GpuRuntime gpu, Engine engine, Dataset data)
    {
        var options = Presets.Fast;
        using var worker = new WorkerGradient(options, data.Train, 1, 0, false, 1, GradientBackends.ForRuntime(gpu, engine.Make, engine.Name));
        var theta = new float[worker.ParameterCount];
        Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        long total = options.TotalSteps(worker.Schedule.StepsPerEpoch);
        var rule = options.CreateUpdateRule(worker.Layout, total);
        var grad = new float[theta.Length];
        var evaluator = new Mlp(options.Layers, 1000, Environment.ProcessorCount);
        var clock = new Stopwatch();
        double? at98 = null;
        for (long step = 0; step < total; step++)
        {
            clock.Start();
            var part = worker.Compute(step, theta, grad, withLocalNorm: false);
            rule.Apply(theta, grad, step, part.LossSum / part.Samples);
            clock.Stop();
            if ((step + 1) % worker.Schedule.StepsPerEpoch != 0) continue;
            if (at98 is null && Evaluation.Accuracy(evaluator, theta, data.Test, options.InputScale) >= 0.98) at98 = clock.Elapsed.TotalSeconds;
        }
        double final = Evaluation.Accuracy(evaluator, theta, data.Test, options.InputScale);
        report.Line($"time to 98 % (fast, worker on the GPU with {engine.Name} + update on the host): {(at98 is double t ? $"{t:f3} s" : "not reached")}; {total} steps in {clock.Elapsed.TotalSeconds:f3} s, final {final:P2}");
    }
}
