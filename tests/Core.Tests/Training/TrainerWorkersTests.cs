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
/// synthetic data, two epochs with shuffling, clip lowered so that some steps clip.
/// </summary>
public sealed class TrainerWorkersTests : IDisposable
{
    const int Steps = 30;
    readonly TempDir _dir = new();
    readonly Dataset _data;
    readonly TrainingOptions _options = Presets.Tutorial with { Layers = new MlpConfig([16, 32, 16, 10]), Steps = Steps, Clip = 0.12f, Seed = 17 };

    public TrainerWorkersTests()
    {
        SyntheticDataset.Write(_dir.Path, trainCount: 2000, testCount: 200, rows: 4, cols: 4);
        _data = DatasetCatalog.Load(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void W_workers_equal_their_parts_summed_in_worker_order_then_the_update_rule_bit_for_bit(int workers)
    {
        var (expectedTheta, expected) = Reference(workers);
        var (theta, actual) = Train(workers);
        Assert.Equal(expected.Select(s => s.Loss), actual.Select(s => s.Loss));
        Assert.Equal(expected.Select(s => s.GlobalNorm), actual.Select(s => s.GlobalNorm));
        Assert.Equal(expected.Select(s => s.Clipped), actual.Select(s => s.Clipped));
        Assert.Equal(expectedTheta, theta);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void W_workers_follow_the_one_worker_trajectory_to_float_rounding(int workers)
    {
        var (oneTheta, one) = Train(1);
        var (theta, many) = Train(workers);
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

    (float[] Theta, List<StepStatistics> Stats) Train(int workers)
    {
        var trainer = new Trainer(_options, _data, workers: workers);
        var stats = new List<StepStatistics>();
        while (!trainer.Done) stats.Add(trainer.TrainStep());
        return (trainer.Theta, stats);
    }

    /// <summary>The trainer's step written out from its parts: W workers, their g_w summed in worker order, then UpdateRule.</summary>
    (float[] Theta, List<StepStatistics> Stats) Reference(int workers)
    {
        var parts = Enumerable.Range(0, workers).Select(w => new WorkerGradient(_options, _data.Train, workers, w, fixedShards: false, threads: 1)).ToArray();
        var layout = parts[0].Layout;
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, _options.Init, _options.Seed);
        var rule = new UpdateRule(layout, new SgdOptimizer(_options.LearningRate, _options.Momentum, theta.Length), _options.Clip, _options.NonFinite);
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
