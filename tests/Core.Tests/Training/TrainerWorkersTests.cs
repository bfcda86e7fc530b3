using System.Numerics.Tensors;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Tests.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>
/// The trainer's W workers: for W = 1, 2, 4 it follows, bit for bit, W <see cref="WorkerGradient"/>s whose parts are
/// summed in worker order ((g₀ + g₁) + g₂ …) and fed to <see cref="UpdateRule"/> — for W = 1 that is the trainer
/// before it had workers. Across W the parts split the batch differently, so the sums differ at float rounding:
/// W = 2, 4 match W = 1 to 1e-4 relative (loss, global norm, θ), the tolerance of the cluster's equivalence test
/// (tests/Grains.Tests/EquivalenceTests.cs). 30 steps of the tutorial recipe (MSE, x/50, lr 0.01) on small
/// synthetic data, two epochs with shuffling, clip lowered so that some steps clip; and the same for every optimizer
/// (SGD with nesterov momentum and L2 decay, Adam with L2 decay, AdamW) under a schedule.
/// </summary>
public sealed class TrainerWorkersTests : IDisposable
{
    const int Steps = 30;
    readonly TempDir _dir = new();
    readonly Dataset _data;
    static readonly TrainingOptions Tutorial = Presets.Tutorial with { Layers = new MlpConfig([16, 32, 16, 10]), Steps = Steps, Clip = 0.12f, Seed = 17 };

    /// <summary>The recipes each test runs, by name (theory data).</summary>
    static TrainingOptions Recipe(string name) => name switch
    {
        "sgd" => Tutorial,
        "sgd-nesterov" => Tutorial with
        {
            Optimizer = OptimizerOptions.Sgd(0.9f) with { Nesterov = true, WeightDecay = 1e-3f },
            Schedule = new ScheduleOptions { Kind = ScheduleKind.Cosine, WarmupSteps = 5 },
        },
        "adam" => Tutorial with
        {
            LearningRate = 1e-3f,
            Optimizer = OptimizerOptions.For(OptimizerKind.Adam) with { WeightDecay = 1e-2f },
            Schedule = new ScheduleOptions { Kind = ScheduleKind.Step, StepSize = 7, Gamma = 0.5 },
        },
        "adamw" => Tutorial with
        {
            LearningRate = 2e-3f,
            Optimizer = OptimizerOptions.For(OptimizerKind.AdamW),
            Schedule = new ScheduleOptions { Kind = ScheduleKind.OneCycle },
        },
        _ => throw new ArgumentException(name, nameof(name)),
    };

    public TrainerWorkersTests()
    {
        SyntheticDataset.Write(_dir.Path, trainCount: 2000, testCount: 200, rows: 4, cols: 4);
        _data = DatasetCatalog.Load(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, int> RecipesAndWorkers => new()
    {
        { "sgd", 1 }, { "sgd", 2 }, { "sgd", 4 },
        { "sgd-nesterov", 1 }, { "sgd-nesterov", 2 }, { "sgd-nesterov", 4 },
        { "adam", 1 }, { "adam", 2 }, { "adam", 4 },
        { "adamw", 1 }, { "adamw", 2 }, { "adamw", 4 },
    };

    public static TheoryData<string, int> RecipesAndMoreWorkers => new()
    {
        { "sgd", 2 }, { "sgd", 4 }, { "sgd-nesterov", 2 }, { "sgd-nesterov", 4 },
        { "adam", 2 }, { "adam", 4 }, { "adamw", 2 }, { "adamw", 4 },
    };

    [Theory]
    [MemberData(nameof(RecipesAndWorkers))]
    public void W_workers_equal_their_parts_summed_in_worker_order_then_the_update_rule_bit_for_bit(string recipe, int workers)
    {
        var options = Recipe(recipe);
        var (expectedTheta, expected) = Reference(options, workers);
        var (theta, actual) = Train(options, workers);
        Assert.Equal(expected.Select(s => s.Loss), actual.Select(s => s.Loss));
        Assert.Equal(expected.Select(s => s.GlobalNorm), actual.Select(s => s.GlobalNorm));
        Assert.Equal(expected.Select(s => s.Clipped), actual.Select(s => s.Clipped));
        Assert.Equal(expected.Select(s => s.LearningRate), actual.Select(s => s.LearningRate));
        Assert.Equal(expectedTheta, theta);
    }

    [Theory]
    [MemberData(nameof(RecipesAndMoreWorkers))]
    public void W_workers_follow_the_one_worker_trajectory_to_float_rounding(string recipe, int workers)
    {
        var options = Recipe(recipe);
        var (oneTheta, one) = Train(options, 1);
        var (theta, many) = Train(options, workers);
        Assert.Contains(one, s => s.Clipped);
        for (int i = 0; i < Steps; i++)
        {
            AssertClose(one[i].Loss, many[i].Loss, $"loss at step {i}");
            AssertClose(one[i].GlobalNorm, many[i].GlobalNorm, $"global norm at step {i}");
            Assert.Equal(one[i].Clipped, many[i].Clipped);
        }
        float distance = TensorPrimitives.Distance(oneTheta, theta), norm = TensorPrimitives.Norm(oneTheta);
        Assert.True(distance <= 1e-4 * norm, $"θ after {Steps} steps: ‖θ_W − θ_1‖ = {distance:G6}, ‖θ_1‖ = {norm:G6}");
    }

    (float[] Theta, List<StepStatistics> Stats) Train(TrainingOptions options, int workers)
    {
        var trainer = new Trainer(options, _data, workers: workers);
        var stats = new List<StepStatistics>();
        while (!trainer.Done) stats.Add(trainer.TrainStep());
        return (trainer.Theta, stats);
    }

    /// <summary>The trainer's step written out from its parts: W workers, their g_w summed in worker order, then UpdateRule.</summary>
    (float[] Theta, List<StepStatistics> Stats) Reference(TrainingOptions options, int workers)
    {
        var parts = Enumerable.Range(0, workers).Select(w => new WorkerGradient(options, _data.Train, workers, w, fixedShards: false, threads: 1)).ToArray();
        var layout = parts[0].Layout;
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, options.Init, options.Seed);
        var rule = options.CreateUpdateRule(layout, Steps);
        var gradients = parts.Select(_ => new float[theta.Length]).ToArray();
        var sum = new float[theta.Length];
        var stats = new List<StepStatistics>();
        for (long step = 0; step < Steps; step++)
        {
            double lossSum = 0;
            int samples = 0;
            for (int w = 0; w < workers; w++)
            {
                var result = parts[w].Compute(step, theta, gradients[w], withLocalNorm: false);
                lossSum += result.LossSum;
                samples += result.Samples;
            }
            gradients[0].CopyTo(sum, 0);
            for (int w = 1; w < workers; w++) TensorPrimitives.Add(sum, gradients[w], sum);
            stats.Add(rule.Apply(theta, sum, step, lossSum / samples));
        }
        return (theta, stats);
    }

    static void AssertClose(double expected, double actual, string what)
        => Assert.True(Math.Abs(expected - actual) <= 1e-4 * Math.Abs(expected), $"{what}: one worker {expected:G10}, W workers {actual:G10}");
}
