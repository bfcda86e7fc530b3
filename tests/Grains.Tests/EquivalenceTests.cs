using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Training;

namespace Thresher.Grains.Tests;

/// <summary>
/// The cluster's determinism: with one seed and --no-shuffle, W = 1, 2, 4 workers over two silos follow the
/// single-process trainer's trajectory (W = 1 to 1e-6, the others to 1e-4 relative, over 20 steps).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EquivalenceTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(1, 1e-6)]
    [InlineData(2, 1e-4)]
    [InlineData(4, 1e-4)]
    public async Task Workers_reproduce_the_single_process_trajectory(int workers, double tolerance)
    {
        var config = RunConfigs.Default with
        {
            Dataset = fixture.DataDirectory,
            Layers = [ClusterFixture.Features, 32, 16, 10],
            Batch = 64,
            Workers = workers,
            Steps = 20,
            LearningRate = 0.2f,
            Momentum = 0.5f,
            Clip = 0.12f, // small enough that some steps clip
            Shuffle = false,
            Seed = 17,
            Init = "he",
        };
        var trainer = new Trainer(config.ToTrainingOptions(), DatasetCatalog.Load(fixture.DataDirectory));
        var reference = new List<StepStatistics>();
        while (!trainer.Done) reference.Add(trainer.TrainStep());

        var run = fixture.Client.GetGrain<IRunGrain>($"equivalence-{workers}-{Guid.NewGuid():N}");
        await run.Start(config, null);
        await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the cluster run to finish", s => $"{s.State} at step {s.Step}");
        var history = await run.GetHistory(0, 100);
        Assert.Equal(reference.Count, history.Length);
        Assert.Contains(reference, s => s.Clipped);
        for (int i = 0; i < history.Length; i++)
        {
            AssertClose(reference[i].Loss, history[i].Loss, tolerance, $"loss at step {i}");
            AssertClose(reference[i].GlobalNorm, history[i].GlobalNorm, tolerance, $"global norm at step {i}");
            Assert.Equal(reference[i].Clipped, history[i].Clipped);
        }
    }

    static void AssertClose(double expected, double actual, double relative, string what)
        => Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected),
            $"{what}: single-process {expected:G10}, cluster {actual:G10}");
}
