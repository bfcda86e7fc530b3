using System.Diagnostics;
using System.Text.Json;
using Thresher.Abstractions;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// Several silo processes with Redis membership, started and stopped by deploy/local-cluster.sh (the
/// documented way), and the CLI talking to them: workers spread over the silos, a silo that joins takes
/// workers, a silo stopped with SIGTERM hands its workers over while the run goes on.
/// </summary>
public sealed class RedisClusterTests : IClassFixture<RedisServer>, IClassFixture<SyntheticData>, IDisposable
{
    readonly RedisServer _redis;
    readonly SyntheticData _data;
    readonly ITestOutputHelper _log;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-redis-").FullName;

    public RedisClusterTests(RedisServer redis, SyntheticData data, ITestOutputHelper log) => (_redis, _data, _log) = (redis, data, log);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [RedisFact]
    public async Task Workers_spread_over_three_silos_a_joining_silo_takes_workers_and_a_stopped_one_hands_them_over()
    {
        string clusterId = $"redis-{Guid.NewGuid():N}"[..16];
        var started = Stopwatch.StartNew();
        await using var cluster = ScriptCluster.Start(_redis.Address, clusterId, 3, Path.Combine(_work, "a"));
        _log.WriteLine($"3 silos active after {started.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(3, cluster.Gateways.Length);
        var view = await ClusterJson(cluster.Gateways[2], clusterId);
        Assert.Equal([cluster.Silo(1), cluster.Silo(2), cluster.Silo(3)], view.Select(s => s.Address));
        Assert.All(view, s => Assert.Equal("active", s.Status));

        // Four workers over three silos: the summary names every silo that hosted one.
        var summary = await Submit(cluster.Gateways[1], clusterId, "spread", steps: 30);
        Assert.Equal("completed", summary.State);
        Assert.True(summary.Silos.Length >= 2, $"workers on {string.Join(", ", summary.Silos)}");

        // A fourth silo joins the running cluster; the next run puts one worker on each of the four.
        await using var joiner = ScriptCluster.Start(_redis.Address, clusterId, 1, Path.Combine(_work, "b"));
        view = await ClusterJson(cluster.Gateways[0], clusterId);
        Assert.Equal(4, view.Count(s => s.Status == "active"));
        summary = await Submit(cluster.Gateways[0], clusterId, "joined", steps: 30);
        Assert.Equal("completed", summary.State);
        Assert.Contains(joiner.Silo(1), summary.Silos);

        // A long run through silo 1's gateway (its run grain and parameter server live there); SIGTERM a silo
        // hosting some of its workers; the run must go on and complete every step.
        const int steps = 10_000; // several seconds of steps left when the stopped silo is gone
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1),
            ["submit", "--gateway", cluster.Gateways[0], "--cluster-id", clusterId, .. RunArgs("handover", steps)]);
        Assert.True(code == 0, $"submit: exit {code}: {stdout}{stderr}");
        await using var client = await Cluster.RemoteCluster.ConnectAsync(cluster.Gateways[0], clusterId, TimeSpan.FromSeconds(10), CancellationToken.None);
        var run = client.Client.GetGrain<IRunGrain>("handover");
        await Wait.Until(async () => (await run.GetStatus()).Step >= 20, TimeSpan.FromSeconds(60), "the run to pass step 20");
        var silos = await Thresher.Dashboard.ClusterView.ReadAsync(client.Client, includeGone: false);
        var victim = silos.First(s => s.Address != cluster.Silo(1) && s.Workers.Any(w => w.StartsWith("handover/", StringComparison.Ordinal)));
        int index = Array.IndexOf([cluster.Silo(1), cluster.Silo(2), cluster.Silo(3)], victim.Address);
        var stopping = index > 0 ? cluster : joiner;
        int silo = index > 0 ? index + 1 : 1;
        var stop = Stopwatch.StartNew();
        await stopping.Terminate(silo, TimeSpan.FromSeconds(30));
        var atStop = await run.GetStatus();
        _log.WriteLine($"silo {victim.Address} (workers {string.Join(' ', victim.Workers)}) stopped in {stop.Elapsed.TotalSeconds:F1} s; run at step {atStop.Step}/{steps}, {atStop.State}");
        Assert.True(atStop.State == RunState.Running, $"the run should still be running after the stop: {atStop.State} {atStop.Error} (if it completed, raise 'steps')");

        var finishing = Stopwatch.StartNew();
        await Wait.Until(async () => (await run.GetStatus()).State.IsFinished(), TimeSpan.FromSeconds(120), "the run to finish");
        _log.WriteLine($"the run finished {finishing.Elapsed.TotalSeconds:F1} s after the stop");
        var final = await run.GetStatus();
        Assert.True(final.State == RunState.Completed, $"{final.State}: {final.Error}");
        Assert.Equal(steps, final.Step);
        view = await ClusterJson(cluster.Gateways[0], clusterId);
        Assert.DoesNotContain(view, s => s.Address == victim.Address && s.Status == "active");
        Assert.Contains(victim.Address, final.Silos); // it did host workers before it left
    }

    [RedisMnistFact]
    public async Task One_mnist_epoch_with_four_workers_on_three_redis_silos_reaches_90_percent()
    {
        string clusterId = $"mnist-{Guid.NewGuid():N}"[..16];
        await using var cluster = ScriptCluster.Start(_redis.Address, clusterId, 3, Path.Combine(_work, "m"));
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(6),
            "submit", "--gateway", cluster.Gateways[1], "--cluster-id", clusterId, "--epochs", "1", "--workers", "4",
            "--run-id", "mnist", "--watch", "--summary-json", "mnist.json");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}\n{cluster.Logs()}");
        var summary = Summary.Read(Path.Combine(_work, "mnist.json"));
        _log.WriteLine($"one epoch: {summary.Steps} steps in {summary.WallSeconds:F1} s, accuracy {summary.TestAccuracy}, silos {string.Join(' ', summary.Silos)}");
        Assert.Equal(468, summary.Steps);
        Assert.True(summary.TestAccuracy >= 0.90, $"test accuracy {summary.TestAccuracy}");
        Assert.True(summary.Silos.Length >= 2, $"workers on {string.Join(", ", summary.Silos)}");
    }

    string[] RunArgs(string runId, int steps) =>
        ["--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "4",
         "--steps", $"{steps}", "--run-id", runId];

    async Task<Summary> Submit(string gateway, string clusterId, string runId, int steps)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            ["submit", "--gateway", gateway, "--cluster-id", clusterId, .. RunArgs(runId, steps), "--watch", "--summary-json", $"{runId}.json"]);
        Assert.True(code == 0, $"submit {runId}: exit {code}: {stdout}{stderr}");
        return Summary.Read(Path.Combine(_work, $"{runId}.json"));
    }

    static async Task<ClusterSilo[]> ClusterJson(string gateway, string clusterId)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable("cluster", "--gateway", gateway, "--cluster-id", clusterId, "--json");
        Assert.True(code == 0, $"cluster: exit {code}: {stdout}{stderr}");
        using var json = JsonDocument.Parse(stdout);
        return [.. json.RootElement.GetProperty("silos").EnumerateArray().Select(s => new ClusterSilo(
            s.GetProperty("address").GetString()!, s.GetProperty("status").GetString()!,
            [.. s.GetProperty("workers").EnumerateArray().Select(w => w.GetString()!)]))];
    }

    sealed record ClusterSilo(string Address, string Status, string[] Workers);

    sealed record Summary(string State, int Steps, double? TestAccuracy, double WallSeconds, string[] Silos)
    {
        public static Summary Read(string path)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var r = json.RootElement;
            return new Summary(r.GetProperty("state").GetString()!, r.GetProperty("steps").GetInt32(),
                r.GetProperty("test_accuracy").ValueKind == JsonValueKind.Number ? r.GetProperty("test_accuracy").GetDouble() : null,
                r.GetProperty("wall_seconds").GetDouble(), [.. r.GetProperty("silos").EnumerateArray().Select(s => s.GetString()!)]);
        }
    }
}

/// <summary>
/// deploy/local-cluster.sh run from a test: its own run directory, ports and cluster id, the silo built
/// beside the tests; `stop` on dispose.
/// </summary>
sealed class ScriptCluster : IAsyncDisposable
{
    static readonly string Script = Path.Combine(DeployTests.FindRepo(), "deploy", "local-cluster.sh");
    readonly Dictionary<string, string> _env;
    readonly string _runDir;
    readonly int _siloPort;

    ScriptCluster(Dictionary<string, string> env, string runDir, int siloPort, string[] gateways)
        => (_env, _runDir, _siloPort, Gateways) = (env, runDir, siloPort, gateways);

    public string[] Gateways { get; }

    /// <summary>The silo address of silo i (1-based), as membership and summaries print it.</summary>
    public string Silo(int i) => $"127.0.0.1:{_siloPort + i - 1}";

    public static ScriptCluster Start(string redis, string clusterId, int silos, string runDir)
    {
        int siloPort = RedisServer.FreePorts(silos), gatewayPort = RedisServer.FreePorts(silos);
        var env = new Dictionary<string, string>
        {
            ["THRESHER_REDIS"] = redis,
            ["THRESHER_CLUSTER_ID"] = clusterId,
            ["THRESHER_SILO_PORT"] = $"{siloPort}",
            ["THRESHER_GATEWAY_PORT"] = $"{gatewayPort}",
            ["THRESHER_RUN_DIR"] = runDir,
            ["THRESHER_SILO"] = Path.Combine(AppContext.BaseDirectory, "thresher-silo.dll"),
            ["THRESHER_START_TIMEOUT"] = "90",
            ["THRESHER_DASHBOARD_PORT"] = "0", // each silo's dashboard on a free port: tests run side by side
        };
        var (code, stdout, stderr) = DeployTests.Bash(Script, ["start", $"{silos}"], env, timeoutSeconds: 120);
        var cluster = new ScriptCluster(env, runDir, siloPort, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        if (code != 0 || cluster.Gateways.Length != silos)
        {
            DeployTests.Bash(Script, ["stop"], env, timeoutSeconds: 60);
            throw new InvalidOperationException($"local-cluster.sh start {silos}: exit {code}\n{stdout}{stderr}");
        }
        return cluster;
    }

    /// <summary>SIGTERM silo i, as a service manager stops it, and wait until the process is gone.</summary>
    public async Task Terminate(int i, TimeSpan grace)
    {
        int pid = int.Parse(File.ReadAllText(Path.Combine(_runDir, $"silo-{i}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", $"{pid}"]) { UseShellExecute = false })) kill?.WaitForExit();
        await Wait.Until(() =>
        {
            process.Refresh();
            return process.HasExited;
        }, grace, $"silo {i} (pid {pid}) to stop after SIGTERM");
    }

    public string Logs() => string.Join('\n', Directory.GetFiles(_runDir, "silo-*.log").Select(f => $"--- {f}\n{File.ReadAllText(f)}"));

    public ValueTask DisposeAsync()
    {
        DeployTests.Bash(Script, ["stop"], _env, timeoutSeconds: 90);
        return ValueTask.CompletedTask;
    }
}
