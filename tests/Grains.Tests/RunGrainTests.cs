using System.Diagnostics;
using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class RunGrainTests(ClusterFixture fixture)
{
    RunConfig SmallRun(int workers = 2, long steps = 40) => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 24, 10],
        Batch = 32,
        Workers = workers,
        Steps = steps,
        LearningRate = 0.5f,
        Init = "he",
        Seed = 5,
        EvalEvery = 20,
    };

    static string NewRunId() => $"test-{Guid.NewGuid():N}";

    static Task<RunStatus> WaitFinished(IRunGrain run, TimeSpan limit)
        => Wait.For(run.GetStatus, s => s.State.IsFinished(), limit, "the run to finish", s => $"run {s.RunId} {s.State} at step {s.Step}/{s.TotalSteps}");

    [Fact]
    public async Task A_small_run_completes_with_a_complete_history()
    {
        var run = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        var started = await run.Start(SmallRun(), null);
        Assert.Equal(RunState.Running, started.State);
        Assert.Equal(40, started.TotalSteps);

        var status = await WaitFinished(run, TimeSpan.FromSeconds(60));
        Assert.Equal(RunState.Completed, status.State);
        Assert.Equal(40, status.Step);
        var history = await run.GetHistory(0, 1000);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), history.Select(h => h.Step));
        Assert.All(history, h => Assert.Equal(2, h.WorkerNorms.Length));
        Assert.All(history, h => Assert.True(double.IsFinite(h.Loss) && h.GlobalNorm > 0));
        Assert.Equal([19L, 39L], history.Where(h => h.TestAccuracy is not null).Select(h => h.Step));
        Assert.True(history[^1].Loss < history[0].Loss, $"loss went from {history[0].Loss} to {history[^1].Loss}");
        Assert.True(status.TestAccuracy > 0.5, $"test accuracy {status.TestAccuracy} on the synthetic set");
        Assert.NotEmpty(status.Silos);
        var registry = fixture.Client.GetGrain<IRunRegistryGrain>(0);
        Assert.Contains(status.RunId, await registry.List());
        // Stored as completed, it leaves the active runs (a silo's death no longer wakes it) and stays listed.
        await Wait.Until(async () => !(await registry.Active()).Contains(status.RunId), TimeSpan.FromSeconds(10), "the completed run to leave the active runs");
        Assert.Contains(status.RunId, await registry.List());
    }

    [Fact]
    public async Task Status_answers_while_a_run_trains_and_cancel_stops_it()
    {
        var run = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        await run.Start(SmallRun(steps: 1_000_000), null);
        // Every status answers within 2 s while the run trains, and the step never goes back.
        long previous = -1;
        int polls = 0;
        await Wait.Until(async () =>
        {
            var watch = Stopwatch.StartNew();
            var status = await run.GetStatus();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"status took {watch.Elapsed}");
            Assert.Equal(RunState.Running, status.State);
            Assert.True(status.Step >= previous, $"step went back from {previous} to {status.Step}");
            previous = status.Step;
            return ++polls >= 5 && previous > 0;
        }, TimeSpan.FromSeconds(30), "five status answers and some progress of the run");

        var cancelled = await run.Cancel();
        Assert.Equal(RunState.Cancelled, cancelled.State);
        // A run that went on stepping would move within milliseconds (each step re-arms its timer at once).
        var server = fixture.Client.GetGrain<IParameterServerGrain>(cancelled.RunId);
        await Wait.Holds(async () => (await run.GetStatus()) is { State: RunState.Cancelled } s && s.Step == cancelled.Step
                                     && await server.NextStep() == cancelled.Step,
            TimeSpan.FromMilliseconds(300), $"the cancelled run and its parameter server to stay at step {cancelled.Step}");
        var after = await run.GetStatus();
        Assert.Equal(RunState.Cancelled, after.State);
        Assert.Equal(cancelled.Step, after.Step);
        Assert.Equal(after.Step, (await run.GetHistory(0, int.MaxValue)).Length);
    }

    [Fact]
    public async Task Concurrent_runs_do_not_disturb_each_other()
    {
        // Two different runs, each first alone, then both at once: each must repeat its own solo history exactly.
        var configA = SmallRun(workers: 2, steps: 25);
        var configB = configA with { Seed = 99, Workers = 3 };
        var aloneA = await HistoryOf(configA);
        var aloneB = await HistoryOf(configB);

        var a = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        var b = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        await Task.WhenAll(a.Start(configA, null), b.Start(configB, null));
        await Task.WhenAll(WaitFinished(a, TimeSpan.FromSeconds(60)), WaitFinished(b, TimeSpan.FromSeconds(60)));
        AssertSameTrajectory(aloneA, await a.GetHistory(0, 1000), "run a");
        AssertSameTrajectory(aloneB, await b.GetHistory(0, 1000), "run b");
    }

    async Task<StepRecord[]> HistoryOf(RunConfig config)
    {
        var run = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        await run.Start(config, null);
        Assert.Equal(RunState.Completed, (await WaitFinished(run, TimeSpan.FromSeconds(60))).State);
        return await run.GetHistory(0, 1000);
    }

    static void AssertSameTrajectory(StepRecord[] alone, StepRecord[] together, string which)
    {
        Assert.True(alone.Length == together.Length, $"{which}: {together.Length} steps together, {alone.Length} alone");
        Assert.Equal(alone.Select(h => (h.Step, h.Loss, h.GlobalNorm)), together.Select(h => (h.Step, h.Loss, h.GlobalNorm)));
        Assert.Equal(alone.Select(h => h.WorkerNorms.Length), together.Select(h => h.WorkerNorms.Length));
    }

    [Fact]
    public async Task A_bad_config_is_rejected_with_the_value_named()
    {
        var run = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        var e = await Assert.ThrowsAsync<ThresherInputException>(() => run.Start(SmallRun() with { LearningRate = -1 }, null));
        Assert.Contains("lr -1", e.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<ThresherInputException>(() => run.Start(SmallRun() with { Dataset = "/nonexistent/thresher-data" }, null));
        Assert.Contains("/nonexistent/thresher-data", missing.Message, StringComparison.Ordinal);
    }
}
