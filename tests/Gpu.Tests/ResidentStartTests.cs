using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Gpu.Tests;

/// <summary>
/// <see cref="DeviceTrainer"/> as the parameter server's <see cref="IResidentTrainer"/>: the optimizer state it hands
/// back is the CPU trainer's (SGD's momentum buffer, Adam's moments and update count), and a trainer started mid-run
/// from that mirror (θ, state, next step: a checkpoint) continues exactly where the first one was.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class ResidentStartTests(CpuAccelerator gpu)
{
    const int Rows = 6, Cols = 5, Classes = 7, Steps = 7, Cut = 3;

    static readonly TrainingOptions Small = new() { Layers = new MlpConfig([Rows * Cols, 11, 9, Classes]), Batch = 8, Steps = Steps, Init = InitKind.He };

    public static TheoryData<string> Recipes => ["adamw", "sgd-momentum"];

    static TrainingOptions Recipe(string name) => name == "adamw"
        ? Small with { Optimizer = OptimizerOptions.For(OptimizerKind.AdamW), LearningRate = 4e-3f, Schedule = new ScheduleOptions { Kind = ScheduleKind.OneCycle } }
        : Small with { Optimizer = new OptimizerOptions { Momentum = 0.9f }, LearningRate = 0.05f };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void The_optimizer_state_handed_back_is_the_cpu_trainers(string recipe)
    {
        var options = Recipe(recipe);
        var train = Split(40, seed: 3);
        using var device = new DeviceTrainer(gpu.Runtime, options, train, null, null);
        // The CPU reference: one worker and Core's update rule (the single-process trainer with W = 1).
        using var worker = new WorkerGradient(options, train, 1, 0, fixedShards: false, threads: 1);
        var rule = options.CreateUpdateRule(worker.Layout, device.TotalSteps);
        var theta = new float[worker.ParameterCount];
        var grad = new float[theta.Length];
        Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        for (int s = 0; s < Cut; s++)
        {
            device.TrainStep();
            var part = worker.Compute(s, theta, grad, withLocalNorm: false);
            rule.Apply(theta, grad, s, part.LossSum / part.Samples);
        }
        var mirror = options.CreateUpdateRule(device.Layout, device.TotalSteps).Optimizer;
        device.ReadOptimizer(mirror);
        var expected = rule.Optimizer;
        Assert.Equal(expected.Steps, mirror.Steps);
        Assert.Equal(Cut, mirror.Steps);
        TestData.Close(expected.Velocity, mirror.Velocity, 1e-4, "momentum buffer");
        TestData.Close(expected.ExpAvg, mirror.ExpAvg, 1e-4, "exp_avg");
        TestData.Close(expected.ExpAvgSq, mirror.ExpAvgSq, 1e-4, "exp_avg_sq");
        Assert.True(mirror.Velocity.Length + mirror.ExpAvg.Length > 0 && (mirror.Velocity.Any(v => v != 0) || mirror.ExpAvg.Any(v => v != 0)),
            "the mirror holds no state: nothing was read back");
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_trainer_started_from_the_mirror_continues_the_same_run(string recipe)
    {
        var options = Recipe(recipe);
        var train = Split(40, seed: 4);
        using var whole = new DeviceTrainer(gpu.Runtime, options, train, null, null);
        var expected = new List<StepStatistics>();
        while (!whole.Done) expected.Add(whole.TrainStep());

        using var first = new DeviceTrainer(gpu.Runtime, options, train, null, null);
        for (int s = 0; s < Cut; s++) first.TrainStep();
        var mirror = options.CreateUpdateRule(first.Layout, first.TotalSteps).Optimizer;
        first.ReadOptimizer(mirror);
        IResidentTrainer resumed = DeviceTrainer.From(gpu.Runtime, options, train, null, new ResidentStart(first.DownloadTheta(), mirror, Cut));
        using (resumed)
        {
            Assert.Equal(Cut, resumed.Step);
            for (int s = Cut; s < Steps; s++)
            {
                var d = resumed.TrainStep();
                Assert.Equal(expected[s].Step, d.Step);
                Assert.Equal(expected[s].LearningRate, d.LearningRate);
                Assert.Equal(expected[s].Loss, d.Loss);
                Assert.Equal(expected[s].GlobalNorm, d.GlobalNorm);
            }
            var theta = new float[whole.Layout.TotalLength];
            resumed.ReadParameters(theta);
            Assert.Equal(whole.DownloadTheta(), theta); // the same device, the same kernels: the same bits
        }
    }

    static DataSplit Split(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Rows * Cols];
        random.NextBytes(pixels);
        return new DataSplit(pixels, TestData.Labels(count, Classes, seed + 1), Rows, Cols);
    }
}
