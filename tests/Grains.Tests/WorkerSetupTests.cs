using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>
/// The run's config reaches each worker once, in a <see cref="WorkerSetup"/>, not with every step: a fresh worker
/// activation (first start, or collected and re-activated mid-run) answers null and the parameter server sends the
/// setup again, without changing a bit of the trajectory.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WorkerSetupTests(ClusterFixture fixture)
{
    RunConfig SmallRun() => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 24, 10],
        Batch = 32,
        Workers = 2,
        Steps = 100,
        LearningRate = 0.5f,
        Init = "he",
        Seed = 11,
    };

    static string NewRunId() => $"setup-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_worker_answers_null_until_it_is_set_up()
    {
        string runId = NewRunId();
        var config = SmallRun() with { Workers = 1 };
        var worker = fixture.Client.GetGrain<IWorkerGrain>($"{runId}/0");
        var theta = new byte[(ClusterFixture.Features * 24 + 24 + 24 * 10 + 10) * sizeof(float)];
        var request = new GradientRequest(runId, 0, 0, theta);

        Assert.Null(await worker.ComputeGradient(request));
        await worker.SetUp(new WorkerSetup(runId, config, 0));
        var result = await worker.ComputeGradient(request);
        Assert.NotNull(result);
        Assert.Equal(config.Batch, result.Samples);
    }

    [Fact]
    public async Task Workers_reactivated_mid_run_are_set_up_again_and_the_trajectory_is_unchanged()
    {
        var config = SmallRun();
        var reference = fixture.Client.GetGrain<IParameterServerGrain>(NewRunId());
        await reference.Initialize(config, null);
        for (long step = 0; step < 4; step++) await reference.Step(step, evaluate: false);
        var expected = (await reference.GetParameters()).Parameters; // read now: the collection below takes this grain too

        string runId = NewRunId();
        var server = fixture.Client.GetGrain<IParameterServerGrain>(runId);
        var workers = new[] { 0, 1 }.Select(w => fixture.Client.GetGrain<IWorkerGrain>($"{runId}/{w}")).ToArray();
        await server.Initialize(config, null);
        for (long step = 0; step < 2; step++) await server.Step(step, evaluate: false);
        await server.Checkpoint(); // θ after step 1: a parameter server collected with its workers goes on from there

        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.FromMilliseconds(1));
        foreach (var worker in workers)
            await Wait.Until(async () => !await GrainActivations.IsActive(fixture.Client, worker), TimeSpan.FromSeconds(15), $"{worker.GetGrainId()} to be collected");

        for (long step = 2; step < 4; step++) await server.Step(step, evaluate: false);
        foreach (var worker in workers)
            Assert.True(await GrainActivations.IsActive(fixture.Client, worker), $"{worker.GetGrainId()} was not re-activated by the steps after its collection");
        var actual = await server.GetParameters();
        Assert.Equal(4, actual.Step);
        Assert.Equal(expected, actual.Parameters);
    }
}
