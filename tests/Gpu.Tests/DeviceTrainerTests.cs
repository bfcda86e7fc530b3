using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Gpu.Tests;

/// <summary>
/// The device-resident loop (<see cref="DeviceTrainer"/>) on ILGPU's CPU accelerator follows the CPU reference —
/// one <see cref="WorkerGradient"/> and Core's <see cref="UpdateRule"/>, the single-process trainer with W = 1 —
/// step by step across an epoch boundary (loss, global norm, clip scale, learning rate) and in θ, for AdamW on
/// onecycle, SGD with momentum, Nesterov, decay and active clipping, and the tutorial's MSE; and it syncs once a step.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class DeviceTrainerTests(CpuAccelerator gpu)
{
    const double Tolerance = 1e-5;
    const int Rows = 6, Cols = 5, Classes = 7;
    const int Steps = 7; // 5 steps per epoch (40 samples, batch 8): crosses into the second epoch

    static readonly TrainingOptions Small = new() { Layers = new MlpConfig([Rows * Cols, 11, 9, Classes]), Batch = 8, Steps = Steps, Init = InitKind.He };

    public static TheoryData<string> Recipes => ["adamw-onecycle", "sgd-nesterov-clipped", "tutorial-mse"];

    static TrainingOptions Recipe(string name) => name switch
    {
        "adamw-onecycle" => Small with { Optimizer = OptimizerOptions.For(OptimizerKind.AdamW), LearningRate = 4e-3f, Schedule = new ScheduleOptions { Kind = ScheduleKind.OneCycle } },
        "sgd-nesterov-clipped" => Small with { Optimizer = new OptimizerOptions { Momentum = 0.9f, Nesterov = true, WeightDecay = 1e-3f }, Clip = 0.05f },
        "tutorial-mse" => Small with { Loss = LossKind.Mse, InputScale = 50f, LearningRate = 0.01f, Init = InitKind.TruncNormal },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown recipe"),
    };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Steps_follow_the_cpu_trainer(string recipe) => AssertFollowsCpu(Recipe(recipe), null);

    [Fact]
    public void Blas_gemms_follow_the_cpu_trainer() =>
        AssertFollowsCpu(Recipe("adamw-onecycle"), () => new BlasGemmForms(new HostSgemm(gpu.Stream)));

    void AssertFollowsCpu(TrainingOptions options, Func<IGemmForms>? gemm)
    {
        var train = Split(40, seed: 3);
        using var device = new DeviceTrainer(gpu.Runtime, options, train, gemm, null);
        var (cpuTheta, cpuStats) = CpuRun(options, train, initialTheta: null);
        long syncs = gpu.Runtime.HostSyncs;
        for (int s = 0; s < Steps; s++)
        {
            var d = device.TrainStep();
            var e = cpuStats[s];
            Assert.Equal(e.Step, d.Step);
            Assert.Equal(e.LearningRate, d.LearningRate);
            Assert.Equal(e.Skipped, d.Skipped);
            Assert.Equal(e.Clipped, d.Clipped);
            Near(e.Loss, d.Loss, $"loss at step {s}");
            Near(e.GlobalNorm, d.GlobalNorm, $"global norm at step {s}");
            Near(e.ClipScale, d.ClipScale, $"clip scale at step {s}");
            for (int k = 0; k < e.TensorNorms.Length; k++) Near(e.TensorNorms[k], d.TensorNorms[k], $"tensor {k} norm at step {s}");
        }
        Assert.Equal(Steps, device.StepSyncs);
        Assert.Equal(syncs + Steps, gpu.Runtime.HostSyncs); // one wait per step, nothing else while training
        Assert.True(device.Done);
        TestData.Close(cpuTheta, device.DownloadTheta(), 1e-4, "θ after the run");
        Assert.Equal(options.Clip < 1f, cpuStats.Any(s => s.Clipped)); // the clipped recipe really clips (and only it)
    }

    [Fact]
    public void A_non_finite_gradient_is_skipped_like_the_cpu_and_abort_throws()
    {
        var options = Recipe("adamw-onecycle");
        var train = Split(40, seed: 3);
        var theta = new float[new ParameterLayout(options.Layers).TotalLength];
        Initializer.Initialize(theta, new ParameterLayout(options.Layers), options.Init, options.Seed);
        theta[0] = float.NaN;
        using (var device = new DeviceTrainer(gpu.Runtime, options, train, null, (float[])theta.Clone()))
        {
            var (_, cpuStats) = CpuRun(options with { Steps = 1 }, train, theta);
            var d = device.TrainStep();
            Assert.True(cpuStats[0].Skipped);
            Assert.True(d.Skipped);
            Assert.True(double.IsNaN(d.GlobalNorm));
            var after = device.DownloadTheta();
            Assert.Equal(theta.AsSpan(1).ToArray(), after.AsSpan(1).ToArray()); // θ untouched
        }
        using var aborting = new DeviceTrainer(gpu.Runtime, options with { NonFinite = NonFinitePolicy.Abort }, train, null, theta);
        var e = Assert.Throws<NonFiniteGradientException>(() => aborting.TrainStep());
        Assert.Contains("step 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_tiles_follow_the_cpu_on_a_simulated_256_thread_device()
    {
        using var device256 = GpuRuntime.CreateCpu(new GpuTiles(), warpSize: 32, warpsPerMultiprocessor: 8);
        var options = Recipe("adamw-onecycle") with { Steps = 2 };
        var train = Split(40, seed: 5);
        using var device = new DeviceTrainer(device256, options, train);
        var (cpuTheta, cpuStats) = CpuRun(options, train, initialTheta: null);
        for (int s = 0; s < 2; s++) Near(cpuStats[s].GlobalNorm, device.TrainStep().GlobalNorm, $"global norm at step {s}");
        TestData.Close(cpuTheta, device.DownloadTheta(), 1e-4, "θ");
    }

    [Theory]
    [InlineData("zclip", "clips by global norm only, not clip-policy zclip")]
    [InlineData("ladder", "no response ladder")]
    public void Options_the_device_loop_cannot_run_are_refused(string what, string message)
    {
        var options = what == "zclip"
            ? Small with { ClipPolicy = new ClipPolicyOptions { Kind = ClipPolicyKind.ZClip } }
            : Small with { Spike = new SpikeOptions { OnSpike = SpikeAction.Skip } };
        var e = Assert.Throws<ThresherInputException>(() => new DeviceTrainer(gpu.Runtime, options, Split(40, seed: 3)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    /// <summary>The CPU reference: W = 1 worker and Core's update rule, as the single-process trainer runs them.</summary>
    static (float[] Theta, List<StepStatistics> Stats) CpuRun(TrainingOptions options, DataSplit train, float[]? initialTheta)
    {
        using var worker = new WorkerGradient(options, train, 1, 0, fixedShards: false, threads: 1);
        var theta = initialTheta is null ? new float[worker.ParameterCount] : (float[])initialTheta.Clone();
        if (initialTheta is null) Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        long total = options.TotalSteps(worker.Schedule.StepsPerEpoch);
        var rule = options.CreateUpdateRule(worker.Layout, total);
        var grad = new float[theta.Length];
        var stats = new List<StepStatistics>();
        for (long step = 0; step < total; step++)
        {
            var part = worker.Compute(step, theta, grad, withLocalNorm: false);
            stats.Add(rule.Apply(theta, grad, step, part.LossSum / part.Samples));
        }
        return (theta, stats);
    }

    static void Near(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    static DataSplit Split(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Rows * Cols];
        random.NextBytes(pixels);
        return new DataSplit(pixels, TestData.Labels(count, Classes, seed + 1), Rows, Cols);
    }
}
