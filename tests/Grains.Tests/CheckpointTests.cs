using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>Step ids, duplicates and going back to a checkpoint, on the parameter server itself.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CheckpointTests(ClusterFixture fixture)
{
    RunConfig Config(float momentum = 0) => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 24, 10],
        Batch = 32,
        Workers = 2,
        Steps = 20,
        LearningRate = 0.3f,
        Momentum = momentum,
        Init = "he",
        Seed = 11,
    };

    IParameterServerGrain NewServer() => fixture.Client.GetGrain<IParameterServerGrain>($"ckpt-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_repeated_step_id_returns_its_record_and_is_not_applied_twice()
    {
        var ps = NewServer();
        await ps.Initialize(Config(), null);
        var first = await ps.Step(0, evaluate: false);
        var after = await ps.GetParameters();
        var again = await ps.Step(0, evaluate: false);
        var afterAgain = await ps.GetParameters();

        // The recorded result itself, not a recomputation: a second computation would at least take another wall
        // time, and after a second update its loss and norms would be those of θ after step 0.
        Assert.Equal(Scalars(first), Scalars(again));
        Assert.Equal(first.TensorNorms, again.TensorNorms);
        Assert.Equal(first.WorkerNorms, again.WorkerNorms);
        Assert.Equal(first.WorkerSilos, again.WorkerSilos);
        Assert.Equal(1, afterAgain.Step);
        Assert.Equal(after.Parameters, afterAgain.Parameters);

        await ps.Step(1, evaluate: false);
        var old = await Assert.ThrowsAsync<InvalidOperationException>(() => ps.Step(0, evaluate: false));
        Assert.Contains("already applied", old.Message, StringComparison.Ordinal);
        var ahead = await Assert.ThrowsAsync<ParameterServerBehindException>(() => ps.Step(5, evaluate: false));
        Assert.Contains("asked for step 5, but it holds θ after step 1", ahead.Message, StringComparison.Ordinal);
        Assert.Equal(2, await ps.NextStep());
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.9f)] // the optimizer's velocity is part of the checkpoint
    public async Task Resume_goes_back_to_the_checkpoint_and_re_running_reproduces_the_steps(float momentum)
    {
        var ps = NewServer();
        await ps.Initialize(Config(momentum), null);
        for (long s = 0; s < 5; s++) await ps.Step(s, evaluate: false);
        Assert.Equal(5, await ps.Checkpoint());
        var records = new List<StepRecord>();
        for (long s = 5; s < 8; s++) records.Add(await ps.Step(s, evaluate: false));
        var reference = await ps.GetParameters();

        // The run recorded 6 steps; the server is at 8 and the step before it is not the one the run lacks.
        Assert.Equal(5, (await ps.Resume(recordedSteps: 6)).Step);
        Assert.Equal(5, await ps.NextStep());
        for (long s = 5; s < 8; s++)
        {
            var rerun = await ps.Step(s, evaluate: false);
            Assert.Equal(records[(int)(s - 5)].Loss, rerun.Loss);
            Assert.Equal(records[(int)(s - 5)].GlobalNorm, rerun.GlobalNorm);
        }
        var replayed = await ps.GetParameters();
        Assert.Equal(8, replayed.Step);
        Assert.Equal(reference.Parameters, replayed.Parameters);
    }

    [Fact]
    public async Task Resume_keeps_a_live_server_and_answers_a_lost_reply_with_the_recorded_step()
    {
        var ps = NewServer();
        await ps.Initialize(Config(), null);
        for (long s = 0; s < 3; s++) await ps.Step(s, evaluate: false);
        Assert.Equal(3, (await ps.Resume(recordedSteps: 3)).Step);   // nothing lost
        Assert.Equal(2, (await ps.Resume(recordedSteps: 2)).Step);   // the run lost step 2's reply: asking again returns it
        Assert.Equal(2, (await ps.Step(2, evaluate: false)).Step);
        Assert.Equal(3, await ps.NextStep());
    }

    [Fact]
    public async Task A_re_activated_server_loads_its_checkpoint()
    {
        var ps = NewServer();
        await ps.Initialize(Config(), null);
        for (long s = 0; s < 4; s++) await ps.Step(s, evaluate: false);
        await ps.Checkpoint();
        var saved = await ps.GetParameters();
        await ps.Step(4, evaluate: false);
        Assert.Equal(5, await ps.NextStep()); // the live activation is past the checkpoint
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps); // the next call activates it from storage

        Assert.Equal(4, await ps.NextStep());
        var loaded = await ps.GetParameters();
        Assert.Equal(saved.Parameters, loaded.Parameters);
        Assert.Equal(4, (await ps.Resume(recordedSteps: 5)).Step);
    }

    [Fact]
    public async Task A_run_checkpoints_at_its_end_and_its_status_counts_no_resume()
    {
        var run = fixture.Client.GetGrain<IRunGrain>($"ckpt-run-{Guid.NewGuid():N}");
        await run.Start(Config() with { CheckpointEvery = 7 }, null);
        var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the run to finish",
            s => $"{s.State} at step {s.Step}");
        Assert.Equal(RunState.Completed, status.State);
        Assert.Equal(0, status.Resumes);
        Assert.Null(status.LastResumeStep);
        var ps = fixture.Client.GetGrain<IParameterServerGrain>(status.RunId);
        Assert.True(await GrainActivations.IsActive(fixture.Client, ps), "the run's parameter server is no longer active: its live θ is gone");
        var final = await ps.GetParameters();
        Assert.Equal(20, final.Step);
        // A fresh activation reads the checkpoint: without the end-of-run one it would be back at step 14 (every 7).
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps);
        var loaded = await ps.GetParameters();
        Assert.Equal(20, loaded.Step);
        Assert.Equal(final.Parameters, loaded.Parameters);
    }

    static (long, int, double, double, double, float, bool, bool, double?, double) Scalars(StepRecord r)
        => (r.Step, r.Epoch, r.Loss, r.GlobalNorm, r.ClippedNorm, r.ClipScale, r.Clipped, r.Skipped, r.TestAccuracy, r.StepMilliseconds);

    [Fact]
    public void Checkpoint_settings_are_validated_with_the_value_named()
    {
        var e = Assert.Throws<ThresherInputException>(() => (Config() with { CheckpointEvery = -1 }).Validate());
        Assert.Contains("checkpoint-every -1", e.Message, StringComparison.Ordinal);
        var t = Assert.Throws<ThresherInputException>(() => (Config() with { WorkerTimeoutSeconds = 0 }).Validate());
        Assert.Contains("worker-timeout 0", t.Message, StringComparison.Ordinal);
        Assert.True(Config().IsCheckpoint(50, 1000));
        Assert.False(Config().IsCheckpoint(49, 1000));
        Assert.True((Config() with { CheckpointEvery = 0 }).IsCheckpoint(1000, 1000));
        Assert.False((Config() with { CheckpointEvery = 0 }).IsCheckpoint(50, 1000));
    }
}
