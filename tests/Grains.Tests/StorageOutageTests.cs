using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>
/// Checkpoint storage that fails — down for a while, or a write whose outcome is unknown — stalls a run and never
/// ends it silently: it says so in its status, goes on when storage answers (θ as if nothing happened), keeps a
/// cancel, and fails with the reason after the outage limit. Faults come from <see cref="FaultyStorage"/>.
/// </summary>
[Collection(FaultyStorageCollection.Name)]
public sealed class StorageOutageTests(FaultyStorageFixture fixture) : IDisposable
{
    static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(120);

    RunConfig Config(long steps) => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory, Layers = [ClusterFixture.Features, 24, 10], Batch = 32, Workers = 2,
        Steps = steps, LearningRate = 0.3f, Momentum = 0.9f, Init = "he", Seed = 11, CheckpointEvery = 10,
    };

    public void Dispose() => fixture.Faults.Reset();

    async Task<(IRunGrain Run, string Id)> Start(long steps)
    {
        string id = $"outage-{Guid.NewGuid():N}";
        var run = fixture.Client.GetGrain<IRunGrain>(id);
        await run.Start(Config(steps), null);
        return (run, id);
    }

    Task<RunStatus> WaitFor(IRunGrain run, Func<RunStatus, bool> done, string what, TimeSpan? limit = null)
        => Wait.For(run.GetStatus, done, limit ?? RunLimit, what, s => $"{s.State} at step {s.Step}/{s.TotalSteps}, stalled: {s.Stalled ?? "no"}, error: {s.Error ?? "none"}");

    async Task<byte[]> UndisturbedTheta(long steps)
    {
        var (reference, _) = await Start(steps);
        Assert.Equal(RunState.Completed, (await WaitFor(reference, s => s.State.IsFinished(), "the undisturbed run to finish")).State);
        return (await reference.GetParameters()).Parameters;
    }

    async Task<RunRecord> StoredRecord(string runId)
    {
        var state = new GrainState<RunRecord>();
        await fixture.Storage.ReadStateAsync("run", fixture.Client.GetGrain<IRunGrain>(runId).GetGrainId(), state);
        return state.State ?? throw new InvalidOperationException($"run {runId} has no stored record");
    }

    [Fact]
    public async Task A_storage_outage_stalls_the_run_and_it_goes_on_when_storage_answers()
    {
        var (run, id) = await Start(300);
        await WaitFor(run, s => s.Step >= 25, "25 steps");
        fixture.Faults.Affects = StorageFaults.RunRecords(id);
        fixture.Faults.Down = true;
        var stalled = await WaitFor(run, s => s.Stalled is not null, "the run to report its stall");
        Assert.Equal(RunState.Running, stalled.State);
        Assert.Contains("checkpoint storage unavailable since", stalled.Stalled, StringComparison.Ordinal);
        // Stalled: no step while the checkpoint it owes cannot be written.
        await Wait.Holds(async () => (await run.GetStatus()).Step == stalled.Step, TimeSpan.FromSeconds(1), "the stalled run to stay at its step");
        fixture.Faults.Down = false;

        var done = await WaitFor(run, s => s.State.IsFinished(), "the run to finish after storage came back");
        Assert.Equal(RunState.Completed, done.State);
        Assert.Null(done.Stalled);
        Assert.True(fixture.Faults.FailedWrites > 0, "no write failed: the outage tested nothing");
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), (await run.GetHistory(0, 1000)).Select(r => r.Step));
        Assert.Equal(await UndisturbedTheta(300), (await run.GetParameters()).Parameters);
        Assert.Equal(RunState.Completed, (await StoredRecord(id)).State);
    }

    [Fact]
    public async Task Writes_whose_outcome_is_unknown_are_reconciled_and_the_run_ends_as_if_undisturbed()
    {
        var (run, id) = await Start(300);
        await WaitFor(run, s => s.Step >= 25, "25 steps");
        fixture.Faults.Affects = StorageFaults.RunRecords(id);
        fixture.Faults.LandThenThrow = 6; // record, page and checkpoint-slot writes, each landing with its reply lost

        var done = await WaitFor(run, s => s.State.IsFinished(), "the run to finish");
        Assert.Equal(RunState.Completed, done.State);
        // Every injected fault was met (a conflicting retry consumes one too), and writes of each kind landed unseen.
        Assert.True(fixture.Faults.LandThenThrow < 0 && fixture.Faults.FailedWrites >= 3, $"{fixture.Faults.FailedWrites} writes failed, {fixture.Faults.LandThenThrow} faults left");
        Assert.Equal(await UndisturbedTheta(300), (await run.GetParameters()).Parameters);
        Assert.Equal(RunState.Completed, (await StoredRecord(id)).State);
    }

    [Fact]
    public async Task A_cancel_during_an_outage_returns_once_stored_and_the_run_stays_cancelled()
    {
        var (run, id) = await Start(1_000_000);
        await WaitFor(run, s => s.Step >= 5, "5 steps");
        fixture.Faults.Affects = StorageFaults.RunRecords(id);
        fixture.Faults.Down = true;
        var cancel = run.Cancel();
        await WaitFor(run, s => s.Stalled is not null, "the cancel to stall on storage");
        Assert.False(cancel.IsCompleted, "cancel answered although its state could not be stored");
        fixture.Faults.Down = false;

        Assert.Equal(RunState.Cancelled, (await cancel).State);
        Assert.Equal(RunState.Cancelled, (await StoredRecord(id)).State);
        long step = (await run.GetStatus()).Step;
        await Wait.Holds(async () => (await run.GetStatus()) is { State: RunState.Cancelled } s && s.Step == step, TimeSpan.FromSeconds(1), "the cancelled run to stay cancelled");
    }

    [Fact]
    public async Task A_run_that_cannot_write_for_longer_than_the_limit_fails_saying_why()
    {
        var (run, id) = await Start(1_000_000);
        await WaitFor(run, s => s.Step >= 5, "5 steps");
        fixture.Faults.Affects = StorageFaults.RunRecords(id);
        fixture.Faults.Down = true;

        var failed = await WaitFor(run, s => s.State.IsFinished(), "the run to fail after the outage limit",
            TimeSpan.FromSeconds(FaultyStorageFixture.OutageLimitSeconds + 60));
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("checkpoint storage unavailable since", failed.Error, StringComparison.Ordinal);
        Assert.Contains($"longer than the storage outage limit of {FaultyStorageFixture.OutageLimitSeconds} s", failed.Error, StringComparison.Ordinal);
        fixture.Faults.Down = false;
        await Wait.Until(async () => (await StoredRecord(id)).State == RunState.Failed, TimeSpan.FromSeconds(30), "the failure to be stored once storage answers");
    }
}
