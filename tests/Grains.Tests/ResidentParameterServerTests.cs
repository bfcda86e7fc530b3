using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Training;

namespace Thresher.Grains.Tests;

/// <summary>
/// The parameter server's device-resident path, on a silo whose backend offers a resident trainer (a host stand-in
/// for the GPU's, <see cref="HostResidentTrainer"/>): a one-worker run takes every step there and asks no worker; the
/// device owns θ and the optimizer state, and what the server hands out (parameters, optimizer state, checkpoints) is
/// the device's; a re-activation goes on from the checkpoint on a new device trainer; a run the rule refuses uses the
/// workers. Each test's runs have a seed of their own (the stand-in records its trainers by seed).
/// </summary>
public sealed class ResidentParameterServerTests(ResidentClusterFixture fixture) : IClassFixture<ResidentClusterFixture>
{
    const double Tolerance = 1e-5;

    RunConfig Config(int seed, int workers = 1) => RunConfigs.Default with
    {
        Optimizer = "adamw",
        Dataset = fixture.DataDirectory,
        Layers = [ClusterFixture.Features, 24, 10],
        Batch = 32,
        Workers = workers,
        Steps = 12,
        LearningRate = 3e-3f,
        LrSchedule = "onecycle",
        Init = "he",
        Seed = seed,
    };

    IParameterServerGrain NewServer() => fixture.Client.GetGrain<IParameterServerGrain>($"resident-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_one_worker_run_steps_on_the_device_and_the_server_hands_out_the_devices_theta()
    {
        var config = Config(seed: 501);
        var ps = NewServer();
        await ps.Initialize(config, null);
        var theta0 = (await ps.GetParameters()).Parameters;
        for (long s = 0; s < 12; s++) await ps.Step(s, evaluate: false);

        var device = Assert.Single(HostResidentTrainer.Made[Key(config)]);
        Assert.Equal(12, device.Step);
        var handedOut = await ps.GetParameters();
        Assert.Equal(12, handedOut.Step);
        Assert.NotEqual(theta0, handedOut.Parameters); // it trained, and the server's copy followed the device
        Assert.Equal(device.Theta, Floats(handedOut.Parameters));
        Assert.Equal(12, (await ps.GetOptimizerState()).Steps); // the device's update count, not the host mirror's 0

        // The single-process trainer (one worker, the CPU step) ends where the device did, to float rounding.
        var reference = new Trainer(config.ToTrainingOptions(), Dataset.ReadDirectory(fixture.DataDirectory));
        while (!reference.Done) reference.TrainStep();
        Close(reference.Theta, Floats(handedOut.Parameters));

        var worker = fixture.Client.GetGrain<IWorkerGrain>($"{ps.GetPrimaryKeyString()}/0");
        Assert.False(await GrainActivations.IsActive(fixture.Client, worker), "a device run's worker was activated: it was asked to compute");
    }

    [Fact]
    public async Task A_re_activated_server_goes_on_from_its_checkpoint_on_a_new_device_trainer()
    {
        var config = Config(seed: 502);
        var ps = NewServer();
        await ps.Initialize(config, null);
        for (long s = 0; s < 5; s++) await ps.Step(s, evaluate: false);
        Assert.Equal(5, await ps.Checkpoint());
        var undisturbed = new List<StepRecord>();
        for (long s = 5; s < 8; s++) undisturbed.Add(await ps.Step(s, evaluate: false));
        var undisturbedTheta = (await ps.GetParameters()).Parameters;
        var undisturbedState = await ps.GetOptimizerState();

        await GrainActivations.ReleaseAndWaitUntilDeactivated(fixture.Client, ps);
        var first = HostResidentTrainer.Made[Key(config)].First();
        Assert.True(first.Disposed, "the deactivated server kept its device trainer");
        Assert.Equal(5, (await ps.Resume(recordedSteps: 8)).Step);
        var second = HostResidentTrainer.Made[Key(config)].Last();
        Assert.NotSame(first, second);
        Assert.Equal(5, second.StartStep);
        for (long s = 5; s < 8; s++)
        {
            var again = await ps.Step(s, evaluate: false);
            Assert.Equal(undisturbed[(int)(s - 5)].Loss, again.Loss);
            Assert.Equal(undisturbed[(int)(s - 5)].GlobalNorm, again.GlobalNorm);
        }
        Assert.Equal(undisturbedTheta, (await ps.GetParameters()).Parameters);
        var state = await ps.GetOptimizerState();
        Assert.Equal(undisturbedState.Steps, state.Steps);
        Assert.Equal(undisturbedState.ExpAvg, state.ExpAvg);
        Assert.Equal(undisturbedState.ExpAvgSq, state.ExpAvgSq);
    }

    [Fact]
    public async Task A_run_on_the_device_reports_its_history_and_evaluations_like_any_run()
    {
        var run = fixture.Client.GetGrain<IRunGrain>($"resident-run-{Guid.NewGuid():N}");
        await run.Start(Config(seed: 503) with { EvalEvery = 4 }, null);
        var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the run to finish",
            s => $"{s.State} at step {s.Step}");
        Assert.Equal(RunState.Completed, status.State);
        Assert.Single(HostResidentTrainer.Made[Key(Config(seed: 503))]);
        var history = await run.GetHistory(0, 100);
        Assert.Equal(12, history.Length);
        Assert.Equal([3L, 7L, 11L], history.Where(r => r.TestAccuracy is not null).Select(r => r.Step));
        Assert.All(history, r => Assert.Equal(r.GlobalNorm, Assert.Single(r.WorkerNorms)));
        Assert.All(history, r => Assert.Equal(CommunicationBytes.Zero, r.Bytes)); // nothing crossed a grain boundary
        Assert.NotNull(status.TestAccuracy);
    }

    [Fact]
    public async Task A_run_the_device_loop_cannot_take_uses_the_workers()
    {
        var config = Config(seed: 504, workers: 2);
        var ps = NewServer();
        await ps.Initialize(config, null);
        await ps.Step(0, evaluate: false);
        Assert.False(HostResidentTrainer.Made.ContainsKey(Key(config)), "a two-worker run got a device trainer");
        var worker = fixture.Client.GetGrain<IWorkerGrain>($"{ps.GetPrimaryKeyString()}/1");
        Assert.True(await GrainActivations.IsActive(fixture.Client, worker));
    }

    static string Key(RunConfig config) => config.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    static void Close(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * scale, $"θ[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}
