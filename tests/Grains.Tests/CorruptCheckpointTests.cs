using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>
/// Checkpoints damaged in storage — bytes changed under their digest, a record that no longer deserializes — are
/// reported with the reason and passed over: the parameter server goes back to the previous intact one.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CorruptCheckpointTests(ClusterFixture fixture)
{
    RunConfig Config() => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 24, 10],
        Batch = 32,
        Workers = 2,
        Steps = 400,
        LearningRate = 0.3f,
        Momentum = 0.9f,
        Init = "he",
        Seed = 5,
    };

    IGrainStorage Storage => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(CheckpointStorage.Name);

    /// <summary>Steps 0..11 with checkpoints after 5 (generation 1, slot 1) and 10 (generation 2, slot 0); θ after step 11.</summary>
    async Task<(IParameterServerGrain Server, string RunId, byte[] Theta)> TrainTwelveSteps()
    {
        string runId = $"corrupt-{Guid.NewGuid():N}";
        var ps = fixture.Client.GetGrain<IParameterServerGrain>(runId);
        await ps.Initialize(Config(), null);
        for (long s = 0; s < 12; s++)
        {
            await ps.Step(s, evaluate: false);
            if (s + 1 is 5 or 10) await ps.Checkpoint();
        }
        return (ps, runId, (await ps.GetParameters()).Parameters);
    }

    async Task FlipOneParameterByte(string runId, int slot, long? generation = null)
    {
        var state = new GrainState<ParameterServerCheckpoint>();
        await Storage.ReadStateAsync(CheckpointStore.StateName, CheckpointStore.SlotId(runId, slot), state);
        if (generation is long expected && state.State?.Generation != expected) throw new GenerationMovedException();
        state.State!.Parameters[1234] ^= 0x10;
        await Storage.WriteStateAsync(CheckpointStore.StateName, CheckpointStore.SlotId(runId, slot), state);
    }

    /// <summary>A record of another type under the slot's key: reading it as a checkpoint throws inside the storage provider.</summary>
    async Task MakeUnreadable(string runId, int slot)
        => await Storage.WriteStateAsync(CheckpointStore.StateName, CheckpointStore.SlotId(runId, slot), new GrainState<string>("not a checkpoint") { ETag = "*" });

    static async Task ReRunTo12(IParameterServerGrain ps, long from)
    {
        for (long s = from; s < 12; s++) await ps.Step(s, evaluate: false);
    }

    [Fact]
    public async Task A_newest_checkpoint_with_changed_bytes_is_reported_and_the_previous_one_is_used()
    {
        var (ps, runId, theta) = await TrainTwelveSteps();
        await FlipOneParameterByte(runId, slot: 0);
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps);

        var point = await ps.Resume(recordedSteps: 12);
        Assert.Equal(5, point.Step);
        Assert.NotNull(point.Warning);
        Assert.Contains("slot 0 (generation 2, step 10) is corrupt", point.Warning, StringComparison.Ordinal);
        Assert.Contains("SHA-256 does not match", point.Warning, StringComparison.Ordinal);
        await ReRunTo12(ps, point.Step);
        Assert.Equal(theta, (await ps.GetParameters()).Parameters); // momentum included: the velocity came back with θ
    }

    [Fact]
    public async Task An_unreadable_newest_checkpoint_is_passed_over_and_its_slot_is_written_again()
    {
        var (ps, runId, theta) = await TrainTwelveSteps();
        await MakeUnreadable(runId, slot: 0);
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps);

        var point = await ps.Resume(recordedSteps: 12);
        Assert.Equal(5, point.Step);
        Assert.Contains("slot 0 is unreadable", point.Warning, StringComparison.Ordinal);
        await ReRunTo12(ps, point.Step);
        Assert.Equal(theta, (await ps.GetParameters()).Parameters);

        Assert.Equal(12, await ps.Checkpoint()); // generation 2 again, into the cleared slot 0
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps);
        var clean = await ps.Resume(recordedSteps: 12);
        Assert.Equal(12, clean.Step);
        Assert.Null(clean.Warning);
    }

    [Fact]
    public async Task With_both_checkpoints_damaged_resume_fails_naming_both()
    {
        var (ps, runId, _) = await TrainTwelveSteps();
        await FlipOneParameterByte(runId, slot: 0);
        await MakeUnreadable(runId, slot: 1);
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ps.Resume(recordedSteps: 12));
        Assert.Contains("no intact checkpoint to resume from at or before step 12", e.Message, StringComparison.Ordinal);
        Assert.Contains("slot 0 (generation 2, step 10) is corrupt", e.Message, StringComparison.Ordinal);
        Assert.Contains("slot 1 is unreadable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_parameter_server_comes_back_over_a_corrupt_checkpoint_ends_where_an_undisturbed_run_does()
    {
        var config = Config() with { CheckpointEvery = 100, Steps = 1500 };
        var reference = fixture.Client.GetGrain<IRunGrain>($"corrupt-ref-{Guid.NewGuid():N}");
        await reference.Start(config, null);
        await WaitFinished(reference, _ => Task.CompletedTask);

        var run = fixture.Client.GetGrain<IRunGrain>($"corrupt-run-{Guid.NewGuid():N}");
        await run.Start(config, null);
        string runId = (await run.GetStatus()).RunId;
        bool disturbed = false;
        var status = await WaitFinished(run, async s =>
        {
            // Mid-interval, so the re-activated server is behind the run and must resume (at a checkpoint it would not).
            if (disturbed || s.Step < 100 || s.Step % 100 is < 10 or > 50) return;
            // The newest checkpoint is generation ⌊step/100⌋ (generation 0 is step 0); damage it, then drop the
            // parameter server between steps: its next activation must pass over the damaged one. The server may
            // write a checkpoint meanwhile (our write then loses the ETag race): look again.
            var ps = fixture.Client.GetGrain<IParameterServerGrain>(runId);
            for (int attempt = 0; ; attempt++)
            {
                long generation = await ps.NextStep() / 100;
                try
                {
                    await FlipOneParameterByte(runId, (int)(generation % 2), generation);
                    break;
                }
                catch (Exception e) when (attempt < 20 && e is InconsistentStateException or GenerationMovedException) { }
            }
            await ps.Release();
            disturbed = true;
        });

        Assert.True(disturbed, "the run finished before it could be disturbed");
        Assert.Equal(RunState.Completed, status.State);
        Assert.True(status.Resumes >= 1, $"resumes {status.Resumes}");
        Assert.Contains("is corrupt", status.LastResumeWarning, StringComparison.Ordinal);
        Assert.Equal(1500, (await run.GetHistory(0, 2000)).Length);
        Assert.Equal((await reference.GetParameters()).Parameters, (await run.GetParameters()).Parameters);
    }

    /// <summary>Status until the run finishes; <paramref name="onPoll"/> sees every unfinished status.</summary>
    static Task<RunStatus> WaitFinished(IRunGrain run, Func<RunStatus, Task> onPoll)
        => Wait.For(async () =>
            {
                var status = await run.GetStatus();
                if (!status.State.IsFinished()) await onPoll(status);
                return status;
            }, s => s.State.IsFinished(), TimeSpan.FromSeconds(120), "the run to finish", s => $"{s.State} at step {s.Step}");

    sealed class GenerationMovedException : Exception;
}
