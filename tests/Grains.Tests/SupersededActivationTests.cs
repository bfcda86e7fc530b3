using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>
/// A run activation that finds a newer claim on its run in storage (what a paused silo's activation finds when it
/// comes back after the run moved on elsewhere) stands down: it writes nothing, declares nothing, and goes away; the
/// run then goes on from storage as if undisturbed.
/// </summary>
[Collection(FaultyStorageCollection.Name)]
public sealed class SupersededActivationTests(FaultyStorageFixture fixture)
{
    RunConfig Config() => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory, Layers = [ClusterFixture.Features, 24, 10], Batch = 32, Workers = 2,
        Steps = 300, LearningRate = 0.3f, Momentum = 0.9f, Init = "he", Seed = 12, CheckpointEvery = 10,
    };

    /// <summary>Writes the run's record back with a newer owner claim, as another activation's claim would (retried on an ETag race with the run).</summary>
    async Task ClaimForAnotherActivation(IRunGrain run)
    {
        for (int attempt = 0; ; attempt++)
        {
            var state = new GrainState<RunRecord>();
            await fixture.Storage.ReadStateAsync("run", run.GetGrainId(), state);
            Assert.NotNull(state.State);
            state.State.OwnerGeneration++;
            state.State.OwnerToken = "another-activation";
            try
            {
                await fixture.Storage.WriteStateAsync("run", run.GetGrainId(), state);
                return;
            }
            catch (InconsistentStateException) when (attempt < 20) { }
        }
    }

    [Fact]
    public async Task An_activation_that_finds_a_newer_claim_stands_down_and_the_run_ends_as_if_undisturbed()
    {
        var reference = fixture.Client.GetGrain<IRunGrain>($"fence-ref-{Guid.NewGuid():N}");
        await reference.Start(Config(), null);
        var run = fixture.Client.GetGrain<IRunGrain>($"fence-{Guid.NewGuid():N}");
        await run.Start(Config(), null);
        await Wait.For(run.GetStatus, s => s.Step >= 15, TimeSpan.FromSeconds(60), "15 steps", s => $"{s.State} at step {s.Step}");

        await ClaimForAnotherActivation(run);
        var states = new List<RunState>();
        var done = await Wait.For(async () =>
        {
            var s = await run.GetStatus();
            states.Add(s.State);
            return s;
        }, s => s.State.IsFinished(), TimeSpan.FromSeconds(120), "the run to finish", s => $"{s.State} at step {s.Step}, error: {s.Error ?? "none"}");

        Assert.Equal(RunState.Completed, done.State);
        Assert.DoesNotContain(RunState.Failed, states);
        Assert.True(done.Resumes >= 1, $"resumes {done.Resumes}: the run never went back to storage, so no activation stood down");
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), (await run.GetHistory(0, 1000)).Select(r => r.Step));
        await Wait.For(reference.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the reference run to finish");
        Assert.Equal((await reference.GetParameters()).Parameters, (await run.GetParameters()).Parameters);
    }
}
