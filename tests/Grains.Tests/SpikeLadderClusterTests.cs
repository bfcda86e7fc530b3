using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Training;

namespace Thresher.Grains.Tests;

/// <summary>
/// The response ladder inside the cluster's parameter server (in-process TestCluster, two silos): an injected data
/// spike is rewound before it reaches θ, the run's history drops the undone steps and goes on from the snapshot, and
/// θ ends as the single-process trainer's with the same W, bit for bit.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SpikeLadderClusterTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task A_rewind_in_the_parameter_server_matches_the_trainer_and_the_history_goes_on_from_the_snapshot(int workers)
    {
        var config = RunConfigs.Default with
        {
            Dataset = fixture.DataDirectory,
            Layers = [ClusterFixture.Features, 32, 16, 10],
            Batch = 64,
            Workers = workers,
            Steps = 40,
            Seed = 17,
            OnSpike = "rewind",
            SpikeWindow = 40,
            SpikeMinHistory = 20,
            RewindSteps = 10,
            RewindAfter = 1,
            RewindSkipBatches = 2,
            Inject = "batch:32:scale=1000",
        };
        var trainer = new Trainer(config.ToTrainingOptions(), DatasetCatalog.Load(fixture.DataDirectory), workers: workers);
        var reference = new List<StepStatistics>();
        while (!trainer.Done) reference.Add(trainer.TrainStep());
        Assert.Single(reference, s => s.Action == SpikeAction.Rewind);

        var run = fixture.Client.GetGrain<IRunGrain>($"spike-rewind-{workers}-{Guid.NewGuid():N}");
        await run.Start(config, null);
        var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the cluster run to finish", s => $"{s.State} at step {s.Step}");
        Assert.Equal(RunState.Completed, status.State);
        Assert.Equal(1, status.Rewinds);
        var history = await run.GetHistory(0, 100);
        Assert.Equal(40, history.Length); // one row per kept step: the rewind's record and the steps it undid are gone
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), history.Select(r => r.Step));
        Assert.Equal(35, history[20].BatchId);
        Assert.Contains("back to step 20, batches 20..34 skipped", history[20].Event, StringComparison.Ordinal);
        Assert.Contains(history[20].Alerts, a => a.Reason == "rewind");

        var theta = (await run.GetParameters()).Parameters;
        Assert.Equal(MemoryMarshal.AsBytes(trainer.Theta.AsSpan()).ToArray(), theta);
    }
}
