using System.Diagnostics;
using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class RunGrainTests(ClusterFixture fixture)
{
    RunConfig SmallRun(int workers = 2, long steps = 40) => new()
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

    async Task<RunStatus> WaitFinished(IRunGrain run, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = await run.GetStatus();
            if (status.State.IsFinished()) return status;
            Assert.True(deadline.Elapsed < limit, $"run {status.RunId} still {status.State} at step {status.Step}/{status.TotalSteps} after {limit}");
            await Task.Delay(20);
        }
    }

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
        Assert.Contains(status.RunId, await fixture.Client.GetGrain<IRunRegistryGrain>(0).List());
    }

    [Fact]
    public async Task Status_answers_while_a_run_trains_and_cancel_stops_it()
    {
        var run = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        await run.Start(SmallRun(steps: 1_000_000), null);
        long previous = -1;
        for (int i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            var status = await run.GetStatus();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"status took {watch.Elapsed}");
            Assert.Equal(RunState.Running, status.State);
            Assert.True(status.Step >= previous);
            previous = status.Step;
            await Task.Delay(50);
        }
        Assert.True(previous > 0, "the run made no progress while status was polled");

        var cancelled = await run.Cancel();
        Assert.Equal(RunState.Cancelled, cancelled.State);
        await Task.Delay(200);
        var after = await run.GetStatus();
        Assert.Equal(RunState.Cancelled, after.State);
        Assert.Equal(cancelled.Step, after.Step);
        Assert.Equal(after.Step, (await run.GetHistory(0, int.MaxValue)).Length);
    }

    [Fact]
    public async Task Concurrent_runs_do_not_disturb_each_other()
    {
        var config = SmallRun(workers: 2, steps: 25);
        var alone = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        await alone.Start(config, null);
        await WaitFinished(alone, TimeSpan.FromSeconds(60));
        var expected = await alone.GetHistory(0, 1000);

        var a = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        var b = fixture.Client.GetGrain<IRunGrain>(NewRunId());
        await Task.WhenAll(a.Start(config, null), b.Start(config with { Seed = 99, Workers = 3 }, null));
        await Task.WhenAll(WaitFinished(a, TimeSpan.FromSeconds(60)), WaitFinished(b, TimeSpan.FromSeconds(60)));
        var together = await a.GetHistory(0, 1000);
        Assert.Equal(expected.Select(h => h.Loss), together.Select(h => h.Loss));
        Assert.Equal(expected.Select(h => h.GlobalNorm), together.Select(h => h.GlobalNorm));
        Assert.NotEqual(expected.Select(h => h.Loss), (await b.GetHistory(0, 1000)).Select(h => h.Loss));
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
