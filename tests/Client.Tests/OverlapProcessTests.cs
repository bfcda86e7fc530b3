using Thresher.Abstractions;
using Thresher.Core.Data;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// Streamed exchanges (--overlap) across three thresher-silo processes with Redis membership: θ's parts and the
/// gradients' parts cross real process boundaries (serialised), and a run with --overlap on, and one with auto, end with
/// the bits of their --overlap off twin (300 inputs: w1 travels in two row blocks plus the tail). Each test starts and
/// stops (by PID) its own silos.
/// </summary>
public sealed class OverlapProcessTests : IClassFixture<RedisServer>, IDisposable
{
    readonly RedisServer _redis;
    readonly ITestOutputHelper _log;
    readonly string _data = SyntheticDataset.Write(Directory.CreateTempSubdirectory("thresher-overlap-").FullName, trainCount: 600, testCount: 60, rows: 15, cols: 20);

    public OverlapProcessTests(RedisServer redis, ITestOutputHelper log) => (_redis, _log) = (redis, log);

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [RedisFact]
    public async Task Streamed_runs_over_three_silo_processes_end_with_the_bits_of_whole_exchanges()
    {
        string clusterId = $"ovl-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(_redis.Address, clusterId, 3, _log);
        await using var client = await Cluster.RemoteCluster.ConnectAsync(silos[2].Gateway, clusterId, TimeSpan.FromSeconds(60), CancellationToken.None);
        string[] modes = ["off", "on", "auto"];
        foreach (var mode in modes)
        {
            var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", "--gateway", silos[0].Gateway, "--cluster-id", clusterId, "--connect-timeout", "60",
                "--data", _data, "--layers", "300,24,10", "--init", "he", "--lr", "0.3", "--momentum", "0.9", "--clip", "0.7",
                "--workers", "3", "--batch", "48", "--steps", "40", "--checkpoint-every", "20", "--seed", "5",
                "--overlap", mode, "--run-id", $"overlap-{mode}"]);
            Assert.True(code == 0, $"submit --overlap {mode}: exit {code}: {stdout}{stderr}");
        }
        var runs = modes.Select(m => client.Client.GetGrain<IRunGrain>($"overlap-{m}")).ToArray();
        foreach (var run in runs)
        {
            var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(180), "the run to finish", s => $"{s.State} at step {s.Step}");
            Assert.True(status.State == RunState.Completed, $"{status.State}: {status.Error}");
        }
        var whole = await runs[0].GetHistory(0, 100);
        var wholeTheta = (await runs[0].GetParameters()).Parameters;
        Assert.Equal(40, whole.Length);
        for (int r = 1; r < runs.Length; r++)
        {
            var streamed = await runs[r].GetHistory(0, 100);
            Assert.Equal(whole.Select(s => (s.Loss, s.GlobalNorm, s.Clipped)), streamed.Select(s => (s.Loss, s.GlobalNorm, s.Clipped)));
            Assert.Equal(wholeTheta, (await runs[r].GetParameters()).Parameters);
            Assert.True(streamed[^1].Bytes!.ServerRemoteReceived > 0, $"--overlap {modes[r]}: no worker on another silo, so nothing crossed a process boundary");
            _log.WriteLine($"--overlap {modes[r]}: worker silos {string.Join(' ', streamed[^1].WorkerSilos)}");
        }
        Assert.Contains(whole, s => s.Clipped);
    }
}
