using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// What survives a parameter server's loss after a rewind (three thresher-silo processes, Redis membership and
/// checkpoints, the fast failure detection of README "Reliability"): a rewind at step 100 moves the data cursor 26
/// batches on; then the silo of the run grain and the parameter server is killed (SIGKILL). The run's reminder
/// re-activates it on a survivor, the parameter server loads its checkpoint — θ, optimizer state, next step and the
/// data cursor's offset; the snapshot ring was memory and is gone — and the run finishes training on the same
/// batches as the undisturbed run, with its θ.
/// </summary>
public sealed class SpikeSiloKillTests : IClassFixture<RedisServer>, IClassFixture<SyntheticData>, IDisposable
{
    const int Steps = 400;
    readonly RedisServer _redis;
    readonly SyntheticData _data;
    readonly ITestOutputHelper _log;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-spike-kill-").FullName;

    public SpikeSiloKillTests(RedisServer redis, SyntheticData data, ITestOutputHelper log) => (_redis, _data, _log) = (redis, data, log);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    // Snapshots every 20 steps; the spike at 100 rewinds to step 80 and skips batches 80..105: step s ≥ 80 trains on s + 26.
    string[] RunArgs(string runId) =>
        ["--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--workers", "2", "--batch", "64",
         "--steps", $"{Steps}", "--checkpoint-every", "50", "--worker-timeout", "5", "--seed", "29", "--run-id", runId,
         "--on-spike", "rewind", "--spike-window", "40", "--spike-min-history", "20", "--rewind-after", "1", "--rewind-steps", "20",
         "--rewind-skip-batches", "5", "--optimizer", "adamw", "--lr", "0.01", "--inject", "batch:100:scale=1000"];

    [RedisFact]
    public async Task Killing_the_parameter_server_silo_after_a_rewind_resumes_from_its_checkpoint_with_the_batch_cursor()
    {
        string clusterId = $"spkill-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(_redis.Address, clusterId, 3, _log);
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[2].Gateway, clusterId, TimeSpan.FromSeconds(10), CancellationToken.None);

        await Submit(silos[1].Gateway, clusterId, "reference");
        var reference = await WaitFinished(client.Client, "reference", TimeSpan.FromSeconds(120));
        Assert.True(reference.State == RunState.Completed, $"{reference.State}: {reference.Error}");
        Assert.Equal(1, reference.Rewinds);
        var referenceTheta = await Export(silos[2].Gateway, clusterId, "reference");

        // The submitting silo hosts the run grain and the parameter server.
        await Submit(silos[0].Gateway, clusterId, "ps-kill");
        var run = client.Client.GetGrain<IRunGrain>("ps-kill");
        await WaitFor(async () => (await run.GetStatus()) is { Rewinds: 1, Step: >= 160 }, TimeSpan.FromSeconds(90), "ps-kill to rewind and pass step 160");
        long atKill = (await run.GetStatus()).Step;
        silos[0].Kill();
        var done = await WaitFinished(client.Client, "ps-kill", TimeSpan.FromSeconds(180));
        _log.WriteLine($"parameter-server silo killed at step {atKill}; resumed from step {done.LastResumeStep}; {done.Resumes} resume(s)");
        Assert.True(done.State == RunState.Completed, $"{done.State}: {done.Error}");
        Assert.True(done.Resumes >= 1, "the run resumed from a checkpoint");
        Assert.True(done.LastResumeStep >= 100, $"resumed from {done.LastResumeStep}: a checkpoint after the rewind");
        Assert.Equal(1, done.Rewinds); // the rewind's event is in the stored history; no second rewind

        var history = await run.GetHistory(0, Steps);
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), history.Select(h => h.Step));
        Assert.Equal(Enumerable.Range(0, Steps).Select(s => s < 80 ? (long)s : s + 26L), history.Select(h => h.BatchId)); // the cursor survived
        Assert.Equal((await client.Client.GetGrain<IRunGrain>("reference").GetHistory(0, Steps)).Select(h => h.BatchId), history.Select(h => h.BatchId));
        var theta = MemoryMarshal.Cast<byte, float>((await run.GetParameters()).Parameters.AsSpan()).ToArray();
        Assert.Equal(referenceTheta.Length, theta.Length);
        float worst = referenceTheta.Zip(theta, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5f, $"largest |Δθ| {worst}");
    }

    async Task<float[]> Export(string gateway, string clusterId, string runId)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1),
            "export", runId, "--out", $"{runId}.safetensors", "--gateway", gateway, "--cluster-id", clusterId);
        Assert.True(code == 0, $"export: exit {code}: {stdout}{stderr}");
        return ModelFile.Load(Path.Combine(_work, $"{runId}.safetensors"), MlpConfig.Parse(SyntheticData.Layers));
    }

    async Task Submit(string gateway, string clusterId, string runId)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1),
            ["submit", "--gateway", gateway, "--cluster-id", clusterId, .. RunArgs(runId)]);
        Assert.True(code == 0, $"submit {runId}: exit {code}: {stdout}{stderr}");
    }

    static async Task<RunStatus> WaitFinished(IClusterClient client, string runId, TimeSpan limit)
    {
        RunStatus? status = null;
        await WaitFor(async () => (status = await client.GetGrain<IRunGrain>(runId).GetStatus()).State.IsFinished(), limit, $"{runId} to finish");
        return status!;
    }

    static Task WaitFor(Func<Task<bool>> condition, TimeSpan limit, string what)
        => Wait.Until(condition, limit, what, retryOn: e => e is OrleansException or TimeoutException);
}
