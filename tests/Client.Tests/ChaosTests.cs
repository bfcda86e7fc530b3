using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Thresher.Abstractions;
using Thresher.Core.ModelFiles;
using Thresher.Core.Model;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// Silos killed (SIGKILL) or hung (SIGSTOP) mid-run, on loopback, with Redis membership and checkpoints in the same
/// Redis, and the fast failure-detection settings of README "Reliability". Each test starts and stops (by PID) its
/// own silos; each is bounded in time.
/// </summary>
public sealed class ChaosTests : IClassFixture<RedisServer>, IClassFixture<SyntheticData>, IDisposable
{
    const int Steps = 1500;
    const int CheckpointEvery = 50;
    readonly RedisServer _redis;
    readonly SyntheticData _data;
    readonly ITestOutputHelper _log;
    readonly string _work = Path.Combine(Path.GetTempPath(), $"thresher-chaos-{Guid.NewGuid():N}");

    public ChaosTests(RedisServer redis, SyntheticData data, ITestOutputHelper log)
    {
        (_redis, _data, _log) = (redis, data, log);
        Directory.CreateDirectory(_work);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    string[] RunArgs(string runId, int workerTimeout = 5) =>
        ["--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "4", "--batch", "64",
         "--steps", $"{Steps}", "--eval-every", "500", "--checkpoint-every", $"{CheckpointEvery}", "--worker-timeout", $"{workerTimeout}",
         "--seed", "21", "--run-id", runId];

    /// <summary>The undisturbed run of <see cref="RunArgs"/>, exported with `thresher export`: the reference.</summary>
    async Task<(RunStatus Status, float[] Theta)> UndisturbedRun(ChaosSilos silos, Cluster.RemoteCluster client, string clusterId)
    {
        await Submit(silos[0].Gateway, clusterId, "reference");
        var reference = await WaitFinished(client.Client, "reference", TimeSpan.FromSeconds(120));
        Assert.True(reference.State == RunState.Completed, $"{reference.State}: {reference.Error}");
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1),
            "export", "reference", "--out", "reference.safetensors", "--gateway", silos[3].Gateway, "--cluster-id", clusterId);
        Assert.True(code == 0, $"export: exit {code}: {stdout}{stderr}");
        return (reference, ModelFile.Load(Path.Combine(_work, "reference.safetensors"), MlpConfig.Parse(SyntheticData.Layers)));
    }

    [RedisFact]
    public async Task Killing_a_worker_silo_mid_run_changes_nothing()
    {
        string clusterId = $"chaos-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(_redis.Address, clusterId, 4, _log);
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[3].Gateway, clusterId, TimeSpan.FromSeconds(30), CancellationToken.None);

        var (reference, referenceTheta) = await UndisturbedRun(silos, client, clusterId);

        // 1. kill -9 a silo that hosts a worker (not the parameter server's): the parameter server retries that part.
        await Submit(silos[0].Gateway, clusterId, "worker-kill");
        var run = client.Client.GetGrain<IRunGrain>("worker-kill");
        await WaitFor(async () => (await run.GetStatus()).Step >= 200, TimeSpan.FromSeconds(60), "worker-kill to pass step 200");
        var view = await Thresher.Dashboard.ClusterView.ReadAsync(client.Client, includeGone: false);
        var victim = silos.Except([silos[0], silos[3]]).First(s => view.Any(v => v.Address == s.Address && v.Workers.Any(w => w.StartsWith("worker-kill/", StringComparison.Ordinal))));
        long atKill = (await run.GetStatus()).Step;
        victim.Kill();
        var done = await WaitFinished(client.Client, "worker-kill", TimeSpan.FromSeconds(120));
        Assert.True(done.State == RunState.Completed, $"{done.State}: {done.Error}");
        Assert.Equal(Steps, done.Step);
        Assert.Equal(0, done.Resumes);
        var history = await run.GetHistory(0, Steps);
        double slowest = history.Max(h => h.StepMilliseconds);
        _log.WriteLine($"worker silo {victim.Address} killed at step {atKill}; slowest step {slowest:F0} ms; wall {done.WallSeconds:F1} s vs {reference.WallSeconds:F1} s undisturbed");
        AssertClose(referenceTheta, (await run.GetParameters()).Parameters, 1e-5f);

    }

    /// <summary>
    /// PS-silo loss recovered in seconds (README "Reliability", the breakdown): it took 23-25 s while the distributed
    /// directory held a dead silo's grains under a 22 s lease and the run waited for its reminder; the bound is
    /// generous for a loaded machine and still fails on that behaviour.
    /// </summary>
    static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(12);

    [RedisFact]
    public async Task Killing_the_parameter_server_silo_resumes_the_run_from_its_checkpoint_within_seconds()
    {
        string clusterId = $"chaos-{Guid.NewGuid():N}"[..16];
        // No reminder: only the survivors' wake-up (RunWaker) can bring the run back, as nobody calls it meanwhile.
        await using var silos = await ChaosSilos.StartAsync(_redis.Address, clusterId, 4, _log, new Dictionary<string, string> { ["THRESHER__RUNREMINDERSECONDS"] = "0" });
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[3].Gateway, clusterId, TimeSpan.FromSeconds(30), CancellationToken.None);

        var (reference, referenceTheta) = await UndisturbedRun(silos, client, clusterId);

        var run = client.Client.GetGrain<IRunGrain>("ps-kill");
        // 2. kill -9 the silo of the parameter server (and of the run grain when Orleans put it there too, as it mostly
        // does): with nobody calling the run and no reminder, the survivors wake it, and it goes back to its last checkpoint in Redis.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Address);
        await Submit(silos[0].Gateway, clusterId, "ps-kill");
        await WaitFor(async () => (await run.GetStatus()).Step >= 275, TimeSpan.FromSeconds(60), "ps-kill to pass step 275");
        var view = await Thresher.Dashboard.ClusterView.ReadAsync(client.Client, includeGone: false);
        var victim = silos.Except([silos[3]]).First(s => view.Any(v => v.Address == s.Address && v.ParameterServers.Contains("ps-kill")));
        // The damage must land before a survivor reloads the checkpoint, which may be 1.3 s after the kill (in CI a
        // reload once beat a Redis connection opened after the kill): connected already, the test freezes the victim
        // (it writes nothing more and is not yet suspected), damages the slot, then kills it.
        long atKill = (await run.GetStatus()).Step;
        victim.Signal("STOP");
        int damaged = await DamageNewestCheckpoint(redis, clusterId, "ps-kill", atKill);
        var killed = Stopwatch.StartNew();
        victim.Kill();
        _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} kill -9 of {victim.Address} (parameter server{(view.Any(v => v.Address == victim.Address && v.Runs.Contains("ps-kill")) ? " and run grain" : "")}) at step {atKill}");
        var survivors = silos.Except([victim]).ToList();
        await WaitFor(() => Task.FromResult(survivors.Any(s => s.Output.Contains("run ps-kill resumed from its checkpoint", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(120), "ps-kill to resume from its checkpoint on a survivor (no client calls it meanwhile)");
        var resumed = killed.Elapsed;
        await WaitFor(async () => (await run.GetStatus()) is { Resumes: > 0 } s && s.Step > atKill, TimeSpan.FromSeconds(90), "ps-kill to resume past its step at the kill");
        double pastKill = killed.Elapsed.TotalSeconds;
        var done = await WaitFinished(client.Client, "ps-kill", TimeSpan.FromSeconds(120));
        _log.WriteLine($"parameter-server silo killed at step {atKill}; resumed from step {done.LastResumeStep} ({atKill - done.LastResumeStep} steps re-run) {resumed.TotalSeconds:F1} s after the kill; back past step {atKill} {pastKill:F1} s after it; accuracy {done.TestAccuracy:P2} vs {reference.TestAccuracy:P2}");
        Assert.True(resumed <= RecoveryBound, $"resumed {resumed.TotalSeconds:F1} s after the kill; the bound is {RecoveryBound.TotalSeconds} s");
        Assert.True(done.State == RunState.Completed, $"{done.State}: {done.Error}");
        Assert.Equal(Steps, done.Step);
        Assert.True(done.Resumes >= 1);
        // The newest checkpoint was damaged, so the run went back one interval further. atKill is the step of the
        // last status before the kill; on a loaded machine the run goes on for tens of steps until the kill lands,
        // and when it crossed a checkpoint meanwhile the damaged slot is the older one, only reported.
        Assert.True(done.LastResumeStep % CheckpointEvery == 0 && done.LastResumeStep <= atKill + 2 * CheckpointEvery && atKill - done.LastResumeStep <= 2 * CheckpointEvery + 5,
            $"resumed from {done.LastResumeStep}, killed at {atKill}");
        Assert.Contains($"checkpoint slot {damaged} is unreadable", done.LastResumeWarning, StringComparison.Ordinal);
        Assert.InRange(done.TestAccuracy!.Value, reference.TestAccuracy!.Value - 0.005, reference.TestAccuracy!.Value + 0.005);
        AssertClose(referenceTheta, (await run.GetParameters()).Parameters, 1e-5f); // re-run steps equal the lost ones
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), (await run.GetHistory(0, Steps)).Select(h => h.Step));
    }

    [RedisFact]
    public async Task A_hung_worker_silo_delays_a_step_by_at_most_the_timeout_plus_failure_detection()
    {
        string clusterId = $"hang-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(_redis.Address, clusterId, 3, _log);
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[0].Gateway, clusterId, TimeSpan.FromSeconds(30), CancellationToken.None);
        const int timeout = 3;
        await Submit(silos[0].Gateway, clusterId, "hang", timeout);
        var run = client.Client.GetGrain<IRunGrain>("hang");
        await WaitFor(async () => (await run.GetStatus()).Step >= 100, TimeSpan.FromSeconds(60), "hang to pass step 100");
        var view = await Thresher.Dashboard.ClusterView.ReadAsync(client.Client, includeGone: false);
        var victim = silos.Skip(1).First(s => view.Any(v => v.Address == s.Address && v.Workers.Any(w => w.StartsWith("hang/", StringComparison.Ordinal))));
        victim.Signal("STOP");
        try
        {
            var done = await WaitFinished(client.Client, "hang", TimeSpan.FromSeconds(150));
            Assert.True(done.State == RunState.Completed, $"{done.State}: {done.Error}");
            var slowest = (await run.GetHistory(0, Steps)).MaxBy(h => h.StepMilliseconds)!;
            _log.WriteLine($"silo {victim.Address} stopped (SIGSTOP); slowest step {slowest.Step}: {slowest.StepMilliseconds / 1000:F1} s (worker timeout {timeout} s)");
            Assert.True(slowest.StepMilliseconds < (timeout * 3 + 15) * 1000.0, $"step {slowest.Step} took {slowest.StepMilliseconds:F0} ms");
        }
        finally
        {
            victim.Kill();
        }
    }

    /// <summary>
    /// Overwrites the stored bytes of the checkpoint slot that held the newest checkpoint at <paramref name="step"/>
    /// (generation ⌊step / interval⌋, slot generation mod 2) with garbage, as bit rot or a torn write would leave
    /// them: Orleans can no longer deserialize it. Returns the slot.
    /// </summary>
    async Task<int> DamageNewestCheckpoint(StackExchange.Redis.ConnectionMultiplexer redis, string clusterId, string runId, long step)
    {
        int slot = (int)(step / CheckpointEvery % 2);
        var keys = redis.GetServers()[0].Keys(pattern: $"{clusterId}/state/thresher-checkpoint/{runId}/*").Select(k => k.ToString()).ToList();
        Assert.Equal(2, keys.Count); // the two slots, each its own record
        string key = keys.Single(k => k.EndsWith($"/{runId}/{slot}/parameter-server-checkpoint", StringComparison.Ordinal));
        await redis.GetDatabase().HashSetAsync(key, "data", Encoding.UTF8.GetBytes("these bytes are not a checkpoint"));
        _log.WriteLine($"damaged checkpoint slot {slot} ({key}) of the frozen parameter server at step {step}");
        return slot;
    }

    async Task Submit(string gateway, string clusterId, string runId, int workerTimeout = 5)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1),
            ["submit", "--gateway", gateway, "--cluster-id", clusterId, .. RunArgs(runId, workerTimeout)]);
        Assert.True(code == 0, $"submit {runId}: exit {code}: {stdout}{stderr}");
    }

    static void AssertClose(float[] expected, byte[] actualBytes, float tolerance)
    {
        var actual = MemoryMarshal.Cast<byte, float>(actualBytes.AsSpan());
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tolerance, $"largest |Δθ| {worst}");
    }

    /// <summary>Status until finished; calls that fail while membership catches up with a dead silo are retried.</summary>
    static async Task<RunStatus> WaitFinished(IClusterClient client, string runId, TimeSpan limit)
    {
        RunStatus? status = null;
        await WaitFor(async () => (status = await client.GetGrain<IRunGrain>(runId).GetStatus()).State.IsFinished(), limit, $"{runId} to finish");
        return status!;
    }

    /// <summary>Waits for <paramref name="condition"/>; calls that fail because a silo just died are asked again.</summary>
    static Task WaitFor(Func<Task<bool>> condition, TimeSpan limit, string what)
        => Wait.Until(condition, limit, what, retryOn: e => e is OrleansException or TimeoutException);
}
