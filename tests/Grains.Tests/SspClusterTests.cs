using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>
/// --sync ssp on the in-process cluster: a run with W = 2, s = 2 (checkpoint barriers every 20 steps) never records a push
/// staler than s, applies every push exactly once (the optimizer counts W steps per step) and its loss falls; s = 0 follows
/// the synchronous parameter server bit for bit.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SspClusterTests(ClusterFixture fixture)
{
    RunConfig Config(string sync, int? staleness, long steps) => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 24, 10],
        Batch = 32,
        Workers = 2,
        Steps = steps,
        LearningRate = 0.3f,
        Init = "he",
        Seed = 11,
        CheckpointEvery = 20,
        Sync = sync,
        Staleness = staleness,
    };

    [Fact]
    public async Task An_ssp_run_stays_within_its_staleness_applies_every_push_once_and_its_loss_falls()
    {
        const long steps = 60;
        string runId = $"ssp-{Guid.NewGuid():N}";
        var run = fixture.Client.GetGrain<IRunGrain>(runId);
        await run.Start(Config("ssp", 2, steps), null);
        var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(90), "the ssp run to finish",
            s => $"run {s.RunId} {s.State} at step {s.Step}/{s.TotalSteps}");
        Assert.Equal(RunState.Completed, status.State);
        var history = await run.GetHistory(0, (int)steps);
        Assert.Equal(Enumerable.Range(0, (int)steps).Select(s => (long)s), history.Select(r => r.Step));
        Assert.All(history, r => Assert.Equal(2, r.Staleness!.Length));                 // one push per worker per step
        Assert.All(history.SelectMany(r => r.Staleness!), s => Assert.InRange(s, 0, 2)); // never staler than s
        Assert.Equal(steps * 2, status.StalenessHistogram!.Sum());
        var ps = fixture.Client.GetGrain<IParameterServerGrain>(runId);
        Assert.Equal(steps * 2, (await ps.GetOptimizerState()).Steps);                   // every push applied exactly once
        Assert.Equal(steps, await ps.NextStep());
        double first = history.Take(10).Average(r => r.Loss), last = history.TakeLast(10).Average(r => r.Loss);
        Assert.True(last < 0.8 * first, $"the loss fell from {first:F4} to {last:F4}");
    }

    [Fact]
    public async Task Staleness_zero_follows_the_synchronous_parameter_server_bit_for_bit()
    {
        const long steps = 12;
        var sync = fixture.Client.GetGrain<IParameterServerGrain>($"sync-{Guid.NewGuid():N}");
        var ssp = fixture.Client.GetGrain<IParameterServerGrain>($"ssp0-{Guid.NewGuid():N}");
        await sync.Initialize(Config("sync", null, steps), null);
        await ssp.Initialize(Config("ssp", 0, steps), null);
        for (long step = 0; step < steps; step++)
        {
            bool evaluate = step == steps - 1;
            var (expected, actual) = (await sync.Step(step, evaluate), await ssp.Step(step, evaluate));
            Assert.Equal((expected.Loss, expected.GlobalNorm, expected.ClipScale, expected.TestAccuracy), (actual.Loss, actual.GlobalNorm, actual.ClipScale, actual.TestAccuracy));
            Assert.Equal(expected.WorkerNorms, actual.WorkerNorms);
            Assert.Equal([0, 0], actual.Staleness!);
        }
        Assert.Equal((await sync.GetParameters()).Parameters, (await ssp.GetParameters()).Parameters);
        Assert.Equal(steps, await ssp.Checkpoint());
    }

    [Fact]
    public async Task A_re_activated_ssp_server_restarts_every_clock_from_its_checkpoint()
    {
        var ps = fixture.Client.GetGrain<IParameterServerGrain>($"ssp-ckpt-{Guid.NewGuid():N}");
        await ps.Initialize(Config("ssp", 2, steps: 12) with { CheckpointEvery = 4 }, null);
        for (long step = 0; step < 4; step++) await ps.Step(step, evaluate: false);
        Assert.Equal(4, await ps.Checkpoint());          // the barrier at 4: every clock there
        var saved = await ps.GetParameters();
        for (long step = 4; step < 6; step++) await ps.Step(step, evaluate: false); // workers run on, up to clock 7
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps);

        Assert.Equal(4, await ps.NextStep());            // activated from the checkpoint
        Assert.Equal(saved.Parameters, (await ps.GetParameters()).Parameters);
        Assert.Equal(4, (await ps.Resume(recordedSteps: 6)).Step);
        for (long step = 4; step < 8; step++)
            Assert.All((await ps.Step(step, evaluate: false)).Staleness!, s => Assert.InRange(s, 0, 2));
        Assert.Equal(8, await ps.Checkpoint());
        Assert.Equal(16, (await ps.GetOptimizerState()).Steps); // 8 clocks × 2 pushes: the lost activation's pushes are not counted
    }
}
