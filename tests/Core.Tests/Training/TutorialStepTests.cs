using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Tests.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>The tutorial's first step on real MNIST: a norm of order 10², clipped to exactly 15.</summary>
public sealed class TutorialStepTests
{
    [MnistFact]
    public void The_first_tutorial_step_has_a_norm_of_order_100_and_clips_to_exactly_15()
    {
        var options = Presets.Tutorial with { Steps = 1 };
        var data = DatasetCatalog.Load("mnist");
        var worker = new WorkerGradient(options, data.Train, workers: 1, worker: 0, fixedShards: false, threads: 1);
        var theta = new float[worker.ParameterCount];
        Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        var gradient = new float[theta.Length];
        var part = worker.Compute(0, theta, gradient);
        Assert.Equal(128, part.Samples);

        double norm = ClipOps.GlobalNorm(gradient);
        Assert.InRange(norm, 100, 1000);

        var clipped = (float[])gradient.Clone();
        var result = ClipOps.ClipByGlobalNormInPlace(clipped, 15f);
        Assert.Equal(norm, result.GlobalNorm, 9);
        Assert.True(result.Clipped);
        Assert.Equal(15.0, ClipOps.GlobalNorm(clipped), 1e-5 * 15);

        // The trainer's folded update reports the same decision.
        var rule = new Trainer(options, data).Update;
        var decision = rule.Measure(gradient);
        Assert.Equal(norm, decision.GlobalNorm, 9);
        Assert.Equal(result.Scale, decision.Scale);
        Assert.Equal(15.0, decision.ClippedNorm, 9);
    }
}
