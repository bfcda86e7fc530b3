using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// A real Redis (membership, reminders and checkpoints) paused with SIGSTOP, then killed and restarted on its
/// append-only file, under three silo processes with the fast failure-detection settings: the run stalls, says so,
/// and ends with the θ of its undisturbed twin. The Redis is this test's own, so pausing it disturbs nobody else.
/// </summary>
public sealed class RedisOutageTests(SyntheticData data, ITestOutputHelper log) : IClassFixture<SyntheticData>
{
    string[] RunArgs(string runId) =>
        ["--data", data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "3", "--batch", "64",
         "--steps", "1500", "--checkpoint-every", "50", "--worker-timeout", "5", "--seed", "23", "--run-id", runId];

    [RedisFact]
    public async Task A_paused_then_restarted_redis_stalls_the_run_which_ends_with_the_undisturbed_theta()
    {
        using var redis = RedisServer.Own();
        await redis.InitializeAsync();
        string clusterId = $"redis-out-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(redis.Address, clusterId, 3, log);
        await using var client = await Cluster.RemoteCluster.ConnectAsync($"{silos[0].Gateway},{silos[1].Gateway},{silos[2].Gateway}", clusterId, TimeSpan.FromSeconds(10), CancellationToken.None);
        await Submit(silos[0].Gateway, clusterId, "twin");
        await Submit(silos[1].Gateway, clusterId, "paused");
        var run = client.Client.GetGrain<IRunGrain>("paused");
        await WaitFor(async () => (await run.GetStatus()).Step >= 200, "200 steps");

        redis.Signal("STOP");
        try
        {
            var stalled = await Wait.For(run.GetStatus, s => s.Stalled is not null, TimeSpan.FromSeconds(60), "the run to report its stall", s => $"{s.State} at {s.Step}");
            log.WriteLine($"stalled at step {stalled.Step}: {stalled.Stalled}");
            Assert.Contains("checkpoint storage unavailable since", stalled.Stalled, StringComparison.Ordinal);
            await Wait.Holds(async () => (await run.GetStatus()).Step == stalled.Step, TimeSpan.FromSeconds(8), "the run to stay stalled while Redis is paused");
        }
        finally
        {
            redis.Signal("CONT");
        }
        await WaitFor(async () => (await run.GetStatus()) is { Stalled: null } s && s.Step >= 600, "the run to go on past step 600");
        await redis.RestartAsync();
        log.WriteLine($"redis restarted at step {(await run.GetStatus()).Step}");

        var done = await WaitFinished(client.Client, "paused");
        var twin = await WaitFinished(client.Client, "twin");
        Assert.True(done.State == RunState.Completed, $"{done.State}: {done.Error}");
        Assert.Equal(RunState.Completed, twin.State);
        Assert.Equal(1500, (await run.GetHistory(0, 2000)).Select(r => r.Step).Distinct().Count());
        var expected = MemoryMarshal.Cast<byte, float>((await client.Client.GetGrain<IRunGrain>("twin").GetParameters()).Parameters.AsSpan()).ToArray();
        var actual = MemoryMarshal.Cast<byte, float>((await run.GetParameters()).Parameters.AsSpan()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        float worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5f, $"largest |Δθ| {worst}");
    }

    async Task Submit(string gateway, string clusterId, string runId)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(null, TimeSpan.FromMinutes(1),
            ["submit", "--gateway", gateway, "--cluster-id", clusterId, .. RunArgs(runId)]);
        Assert.True(code == 0, $"submit {runId}: exit {code}: {stdout}{stderr}");
    }

    static async Task<RunStatus> WaitFinished(IClusterClient client, string runId)
    {
        RunStatus? status = null;
        await WaitFor(async () => (status = await client.GetGrain<IRunGrain>(runId).GetStatus()).State.IsFinished(), $"{runId} to finish");
        return status!;
    }

    static Task WaitFor(Func<Task<bool>> condition, string what)
        => Wait.Until(condition, TimeSpan.FromSeconds(240), what, retryOn: e => e is OrleansException or TimeoutException);
}
