using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>A run of the pre-aggregation tests (plain or --aggregate per-silo) on a test cluster: its history and final θ.</summary>
static class PreAggregationRuns
{
    /// <summary>The small recipe the tests run: 12 steps, SGD with momentum, clip low enough that some steps clip.</summary>
    public static RunConfig Recipe(string dataDirectory, int workers, string aggregate) => RunConfigs.Default with
    {
        Dataset = dataDirectory,
        Layers = [ClusterFixture.Features, 32, 16, 10],
        Batch = 64,
        Workers = workers,
        Steps = 12,
        Clip = 0.12f,
        LearningRate = 0.2f,
        Momentum = 0.5f,
        Shuffle = false,
        Seed = 17,
        Init = "he",
        Aggregate = aggregate,
    };

    /// <summary>P of <see cref="Recipe"/>'s layers 16-32-16-10, and |θ| in bytes.</summary>
    public const long ThetaBytes = (16 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10) * sizeof(float);

    public static async Task<(StepRecord[] History, byte[] Theta)> Run(IClusterClient client, RunConfig config)
    {
        var run = client.GetGrain<IRunGrain>($"preagg-{config.Workers}-{config.Aggregate}-{Guid.NewGuid():N}");
        await run.Start(config, null);
        await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the run to finish", s => $"{s.State} at step {s.Step}");
        var status = await run.GetStatus();
        Assert.True(status.State == RunState.Completed, $"run {status.State}: {status.Error}");
        return (await run.GetHistory(0, 100), (await run.GetParameters()).Parameters);
    }
}
