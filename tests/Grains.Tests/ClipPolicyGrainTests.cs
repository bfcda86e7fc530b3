using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Training;

namespace Thresher.Grains.Tests;

/// <summary>
/// Clip policies on the parameter server: their state (ZClip's EMAs, AutoClip's history) is part of its checkpoint —
/// a resumed or re-activated server continues exactly as an undisturbed one — and W = 1, 2, 4 workers over two silos
/// follow the single-process trainer (W = 1 to 1e-6, the others to 1e-4 relative), thresholds included.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClipPolicyGrainTests(ClusterFixture fixture)
{
    RunConfig Config(string policy, int workers = 2) => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 32, 16, 10],
        Batch = 64,
        Workers = workers,
        Steps = 20,
        LearningRate = 0.2f,
        Momentum = 0.5f,
        Shuffle = false,
        Seed = 17,
        Init = "he",
        ClipPolicy = policy,
        Clip = policy == "per-tensor" ? 0.05f : null,
        ZClipWarmup = policy == "zclip" ? 3 : null,
        ZClipZ = policy == "zclip" ? 0.05 : null,
        ZClipAlpha = policy == "zclip" ? 0.5 : null,
        AutoClipHistory = policy == "autoclip" ? 4 : null,
        AutoClipPercentile = policy == "autoclip" ? 30 : null,
    };

    [Theory]
    [InlineData("zclip")]
    [InlineData("autoclip")]
    [InlineData("agc")]
    public async Task Resuming_from_a_checkpoint_reproduces_the_undisturbed_steps(string policy)
    {
        var ps = fixture.Client.GetGrain<IParameterServerGrain>($"clip-resume-{policy}-{Guid.NewGuid():N}");
        await ps.Initialize(Config(policy), null);
        for (long s = 0; s < 5; s++) await ps.Step(s, evaluate: false);
        Assert.Equal(5, await ps.Checkpoint());
        var records = new List<StepRecord>();
        for (long s = 5; s < 10; s++) records.Add(await ps.Step(s, evaluate: false));
        var reference = await ps.GetParameters();
        Assert.Contains(records, r => r.Clipped);

        Assert.Equal(5, (await ps.Resume(recordedSteps: 6)).Step);
        for (long s = 5; s < 10; s++) AssertSame(records[(int)(s - 5)], await ps.Step(s, evaluate: false));
        Assert.Equal(reference.Parameters, (await ps.GetParameters()).Parameters);
    }

    [Theory]
    [InlineData("zclip")]
    [InlineData("autoclip")]
    public async Task A_re_activated_server_goes_on_with_its_checkpointed_policy_state(string policy)
    {
        var undisturbed = fixture.Client.GetGrain<IParameterServerGrain>($"clip-reactivate-a-{policy}-{Guid.NewGuid():N}");
        var moved = fixture.Client.GetGrain<IParameterServerGrain>($"clip-reactivate-b-{policy}-{Guid.NewGuid():N}");
        await undisturbed.Initialize(Config(policy), null);
        await moved.Initialize(Config(policy), null);
        for (long s = 0; s < 6; s++)
        {
            await undisturbed.Step(s, evaluate: false);
            await moved.Step(s, evaluate: false);
        }
        await moved.Checkpoint();
        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, moved);
        Assert.Equal(6, await moved.NextStep());
        for (long s = 6; s < 12; s++) AssertSame(await undisturbed.Step(s, evaluate: false), await moved.Step(s, evaluate: false));
        Assert.Equal((await undisturbed.GetParameters()).Parameters, (await moved.GetParameters()).Parameters);
    }

    [Theory]
    [InlineData("per-tensor", 1, 1e-6)]
    [InlineData("zclip", 2, 1e-4)]
    [InlineData("autoclip", 4, 1e-4)]
    [InlineData("agc", 2, 1e-4)]
    public async Task Workers_reproduce_the_single_process_trajectory(string policy, int workers, double tolerance)
    {
        var config = Config(policy, workers);
        var trainer = new Trainer(config.ToTrainingOptions(), DatasetCatalog.Load(fixture.DataDirectory));
        var reference = new List<StepStatistics>();
        while (!trainer.Done) reference.Add(trainer.TrainStep());

        var run = fixture.Client.GetGrain<IRunGrain>($"clip-equivalence-{policy}-{workers}-{Guid.NewGuid():N}");
        await run.Start(config, null);
        await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the cluster run to finish", s => $"{s.State} at step {s.Step}");
        var history = await run.GetHistory(0, 100);
        Assert.Equal(reference.Count, history.Length);
        Assert.Contains(reference, s => s.Clipped);
        for (int i = 0; i < history.Length; i++)
        {
            AssertClose(reference[i].Loss, history[i].Loss, tolerance, $"loss at step {i}");
            AssertClose(reference[i].GlobalNorm, history[i].GlobalNorm, tolerance, $"global norm at step {i}");
            AssertClose(reference[i].ClippedNorm, history[i].ClippedNorm, tolerance, $"post-clip norm at step {i}");
            if (double.IsFinite(reference[i].ClipThreshold)) AssertClose(reference[i].ClipThreshold, history[i].ClipThreshold, tolerance, $"threshold at step {i}");
            else Assert.Equal(reference[i].ClipThreshold, history[i].ClipThreshold);
        }
    }

    static void AssertSame(StepRecord expected, StepRecord actual)
    {
        Assert.Equal(expected.Step, actual.Step);
        Assert.Equal(expected.Loss, actual.Loss);
        Assert.Equal(expected.GlobalNorm, actual.GlobalNorm);
        Assert.Equal(expected.ClippedNorm, actual.ClippedNorm);
        Assert.Equal(expected.ClipThreshold, actual.ClipThreshold);
        Assert.Equal(expected.ClipScale, actual.ClipScale);
    }

    static void AssertClose(double expected, double actual, double relative, string what)
        => Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected),
            $"{what}: single-process {expected:G10}, cluster {actual:G10}");
}
