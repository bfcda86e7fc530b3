using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>
/// The sharded parameter server on the in-process cluster (two silos): S = 2, 4, 7 shard grains follow S = 1's
/// trajectory bit for bit — every step's loss and norms, θ and the optimizer state — for W = 1, 2, 4 workers; a shard
/// that loses its activation is brought back, with every other shard, to the newest checkpoint they all hold.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ShardedParameterServerTests(ClusterFixture fixture)
{
    const int Steps = 12;

    // 4 layers = 8 tensors: up to 8 shards.
    RunConfig Config(int shards, int workers, string optimizer = "sgd") => RunConfigs.Default with
    {
        Optimizer = optimizer,
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 24, 20, 12, 10],
        Batch = 32,
        Workers = workers,
        Steps = Steps,
        LearningRate = optimizer == "sgd" ? 0.3f : 3e-3f,
        Momentum = optimizer == "sgd" ? 0.9f : 0f,
        LrSchedule = optimizer == "sgd" ? "constant" : "onecycle",
        Clip = 0.7f, // the norms run 0.5–1.5: some steps clip, some do not
        Init = "he",
        Seed = 23,
        PsShards = shards,
    };

    async Task<IParameterServerGrain> Started(RunConfig config)
    {
        var ps = fixture.Client.GetGrain<IParameterServerGrain>($"sharded-{config.PsShards}-{Guid.NewGuid():N}");
        await ps.Initialize(config, null);
        return ps;
    }

    public static TheoryData<int, int, string> Matrix()
    {
        var data = new TheoryData<int, int, string>();
        foreach (int workers in new[] { 1, 2, 4 })
            foreach (int shards in new[] { 2, 4, 7 })
                data.Add(shards, workers, workers == 2 ? "adamw" : "sgd");
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task S_shards_follow_one_parameter_server_bit_for_bit(int shards, int workers, string optimizer)
    {
        var reference = await Started(Config(1, workers, optimizer));
        var sharded = await Started(Config(shards, workers, optimizer));
        int clipped = 0;
        for (long step = 0; step < Steps; step++)
        {
            bool evaluate = step == Steps - 1;
            var expected = await reference.Step(step, evaluate);
            var actual = await sharded.Step(step, evaluate);
            Assert.Equal((expected.Loss, expected.GlobalNorm, expected.ClippedNorm, expected.ClipScale, expected.Clipped, expected.Skipped),
                (actual.Loss, actual.GlobalNorm, actual.ClippedNorm, actual.ClipScale, actual.Clipped, actual.Skipped));
            Assert.Equal(expected.TensorNorms, actual.TensorNorms);
            Assert.Equal(expected.WorkerNorms, actual.WorkerNorms);
            Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
            clipped += actual.Clipped ? 1 : 0;
        }
        Assert.InRange(clipped, 1, Steps - 1); // both branches of clip_by_global_norm ran
        Assert.Equal((await reference.GetParameters()).Parameters, (await sharded.GetParameters()).Parameters);
        var (a, b) = (await reference.GetOptimizerState(), await sharded.GetOptimizerState());
        Assert.Equal(a.MomentumBuffer, b.MomentumBuffer);
        Assert.Equal(a.ExpAvg, b.ExpAvg);
        Assert.Equal(a.ExpAvgSq, b.ExpAvgSq);
        Assert.Equal(a.Steps, b.Steps);
    }

    [Fact]
    public async Task A_lost_shard_resumes_the_run_from_the_newest_checkpoint_every_shard_holds()
    {
        var reference = await Started(Config(1, 2));
        var sharded = await Started(Config(3, 2));
        for (long step = 0; step < 5; step++) await Task.WhenAll(reference.Step(step, false), sharded.Step(step, false));
        Assert.Equal(5, await sharded.Checkpoint());
        for (long step = 5; step < 8; step++) await Task.WhenAll(reference.Step(step, false), sharded.Step(step, false));

        var shard = fixture.Client.GetGrain<IParameterShardGrain>($"{sharded.GetPrimaryKeyString()}/1");
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, shard); // its silo "died": θ's slice after step 7 is gone
        await Assert.ThrowsAsync<ParameterServerBehindException>(() => sharded.Step(8, false));
        Assert.Equal(5, (await sharded.Resume(recordedSteps: 8)).Step); // every shard goes back to step 5, not only the lost one
        for (long step = 5; step < Steps; step++)
        {
            if (step >= 8) await reference.Step(step, false);
            await sharded.Step(step, false);
        }
        Assert.Equal((await reference.GetParameters()).Parameters, (await sharded.GetParameters()).Parameters);
        Assert.Equal((await reference.GetOptimizerState()).MomentumBuffer, (await sharded.GetOptimizerState()).MomentumBuffer);
    }

    [Fact]
    public async Task Initial_parameters_and_optimizer_state_are_split_over_the_shards()
    {
        var source = await Started(Config(1, 2));
        for (long step = 0; step < 3; step++) await source.Step(step, false);
        var (theta, state) = ((await source.GetParameters()).Parameters, await source.GetOptimizerState());
        var one = fixture.Client.GetGrain<IParameterServerGrain>($"sharded-init-1-{Guid.NewGuid():N}");
        var three = fixture.Client.GetGrain<IParameterServerGrain>($"sharded-init-3-{Guid.NewGuid():N}");
        await one.Initialize(Config(1, 2), theta, state);
        await three.Initialize(Config(3, 2), theta, state);
        Assert.Equal(state.MomentumBuffer, (await three.GetOptimizerState()).MomentumBuffer); // gathered back from the shards
        for (long step = 0; step < 4; step++) Assert.Equal((await one.Step(step, false)).Loss, (await three.Step(step, false)).Loss);
        Assert.Equal((await one.GetParameters()).Parameters, (await three.GetParameters()).Parameters);
    }

    [Fact]
    public async Task A_sharded_run_completes_through_the_run_grain_with_the_unsharded_history()
    {
        var runs = new[] { 1, 4 }.Select(s => fixture.Client.GetGrain<IRunGrain>($"sharded-run-{s}-{Guid.NewGuid():N}")).ToArray();
        await Task.WhenAll(runs.Select((run, i) => run.Start(Config(i == 0 ? 1 : 4, 2) with { CheckpointEvery = 5 }, null)));
        foreach (var run in runs)
            Assert.Equal(RunState.Completed, (await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(90), "the run to finish", s => $"{s.State} at step {s.Step}")).State);
        var (one, four) = (await runs[0].GetHistory(0, 100), await runs[1].GetHistory(0, 100));
        Assert.Equal(Steps, four.Length);
        Assert.Equal(one.Select(r => (r.Loss, r.GlobalNorm, r.TestAccuracy)), four.Select(r => (r.Loss, r.GlobalNorm, r.TestAccuracy)));
        Assert.Equal((await runs[0].GetParameters()).Parameters, (await runs[1].GetParameters()).Parameters);
    }
}
