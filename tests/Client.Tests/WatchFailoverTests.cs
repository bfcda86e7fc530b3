using Thresher.Abstractions;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// A watch is a client that outlives gateways: SIGTERM detaches it like Ctrl-C (exit 0, the run goes on), and a
/// watch given several gateways keeps following its run when one of them is killed, exiting 0 when the run completes.
/// </summary>
public sealed class WatchFailoverTests(SyntheticData data, ITestOutputHelper log) : IClassFixture<SyntheticData>
{
    string[] RunArgs(string runId, long steps) =>
        ["--data", data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "3", "--batch", "64",
         "--steps", $"{steps}", "--checkpoint-every", "50", "--worker-timeout", "5", "--seed", "29", "--run-id", runId];

    [Fact]
    public async Task Sigterm_detaches_a_watch_and_the_run_goes_on()
    {
        await using var silo = await SiloProcess.StartAsync();
        string[] cluster = ["--gateway", silo.Gateway, "--cluster-id", "thresher-test"];
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", .. cluster, .. RunArgs("sigterm", 1_000_000)]);
        Assert.True(code == 0, $"submit: exit {code}: {stdout}{stderr}");

        using var watch = new WatchProcess(["watch", "sigterm", .. cluster]);
        await Wait.Until(() => watch.Output.Contains("sigterm running", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the watch to show the run");
        watch.Signal("TERM");
        Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        (code, stdout, _) = await CliRunner.RunExecutable(["status", "sigterm", .. cluster]);
        Assert.Equal(0, code);
        Assert.Contains("running", stdout, StringComparison.Ordinal); // detached, not cancelled
    }

    /// <summary>
    /// Following on through another gateway within this after the watched one's silo hangs and is killed: a poll in
    /// flight to the killed gateway was answered only by Orleans' 30 s response timeout (issue 18, finding 4); now each
    /// small call has a 5 s deadline (Cluster.GatewayFailover), and the bound leaves room for a loaded machine.
    /// </summary>
    static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(15);

    [RedisFact]
    public async Task A_watch_with_several_gateways_follows_its_run_within_seconds_of_its_gateways_death()
    {
        using var redis = new RedisServer();
        await redis.InitializeAsync();
        string clusterId = $"watch-{Guid.NewGuid():N}"[..16];
        await using var silos = await ChaosSilos.StartAsync(redis.Address, clusterId, 3, log);
        // Submitted through silo 0, whose resolver keeps the run grain and parameter server there: silos 1 and 2 hold
        // neither (the run need not resume), and the watch and the cancel go through them.
        foreach (var (id, steps) in new[] { ("failover", 3000L), ("doomed", 1_000_000L) })
        {
            var (code, stdout, stderr) = await CliRunner.RunExecutable(["submit", "--gateway", silos[0].Gateway, "--cluster-id", clusterId, "--connect-timeout", "60", .. RunArgs(id, steps)]);
            Assert.True(code == 0, $"submit {id}: exit {code}: {stdout}{stderr}");
        }
        using var watch = new WatchProcess(["watch", "failover", "--gateway", $"{silos[1].Gateway},{silos[2].Gateway}", "--cluster-id", clusterId, "--connect-timeout", "60", "--refresh", "100"]);
        await Wait.Until(() => watch.Output.Contains("failover running", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the watch to show the run");
        int[] peers = await TcpPeers.PortsAsync(watch.Pid);
        var killed = System.Diagnostics.Stopwatch.StartNew();
        var (victim, before) = await HangTheWatchedGateway(watch, [silos[1], silos[2]], killed);
        var other = victim == silos[1] ? silos[2] : silos[1];
        victim.Kill(); // hung, then killed: a poll of the watch is in flight, unread at the stopped gateway, when the silo dies
        await Wait.Until(() => FollowsOn(watch.Output[before..]), TimeSpan.FromSeconds(60), "the watch to follow the run on after its gateway died");
        var followedOn = killed.Elapsed;
        log.WriteLine($"stopped, then killed {victim.Address}, the gateway holding a poll of the watch (connections to ports {string.Join(',', peers)}); following on {followedOn.TotalSeconds:F1} s after the stop:\n{watch.Output[before..]}");
        Assert.True(followedOn <= FailoverBound, $"the watch followed on {followedOn.TotalSeconds:F1} s after its gateway died; the bound is {FailoverBound.TotalSeconds} s");

        // cancel through a list that names the dead gateway first: it answers through the other.
        var cancelled = System.Diagnostics.Stopwatch.StartNew();
        var (cancelCode, cancelOut, cancelErr) = await CliRunner.RunExecutable(["cancel", "doomed", "--gateway", $"{victim.Gateway},{other.Gateway}", "--cluster-id", clusterId, "--connect-timeout", "60"]);
        log.WriteLine($"cancel through {victim.Gateway} (dead),{other.Gateway}: exit {cancelCode} in {cancelled.Elapsed.TotalSeconds:F1} s: {cancelOut}{cancelErr}");
        Assert.True(cancelCode == 0, $"cancel: exit {cancelCode}: {cancelOut}{cancelErr}");
        Assert.Contains("cancelled", cancelOut, StringComparison.Ordinal);
        Assert.True(cancelled.Elapsed <= FailoverBound + TimeSpan.FromSeconds(15), $"cancel took {cancelled.Elapsed.TotalSeconds:F1} s"); // a CLI start included

        int exit = await watch.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.True(exit == 0, $"watch: exit {exit}: {watch.Output}");
        Assert.Contains("completed", watch.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", watch.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Stops (SIGSTOP) the silo whose gateway carries the watch's polls: each candidate in turn, until a poll sits unread
    /// at it (its Recv-Q); a candidate that gets none within 3 s is the other connection's, and goes on (SIGCONT).
    /// <paramref name="clock"/> restarts at the stop that holds a poll. Up to three rounds over the candidates, each after
    /// the watch printed again (polling on): on a loaded CI machine a round of 2 × 3 s was seen to catch no poll. Each
    /// stop stays at 3 s, so the chaos silos' 1 s membership probes do not declare a candidate dead. Returns the stopped
    /// candidate and the watch's output length when its round began (what follows is the failover's).
    /// </summary>
    static async Task<(ChaosSilo Victim, int Before)> HangTheWatchedGateway(WatchProcess watch, ChaosSilo[] candidates, System.Diagnostics.Stopwatch clock)
    {
        for (int round = 0; round < 3; round++)
        {
            if (round > 0)
            {
                int printed = watch.Output.Length;
                await Wait.Until(() => watch.Output.Length > printed, TimeSpan.FromSeconds(30), "the watch to print again after both gateways went on");
            }
            int before = watch.Output.Length;
            if (await TryHangOne(candidates, clock) is { } hung) return (hung, before);
        }
        throw new InvalidOperationException($"no poll of the watch waited at any stopped gateway in three rounds: {watch.Output}");
    }

    /// <summary>One round of <see cref="HangTheWatchedGateway"/>: the candidate left stopped with a poll at it, or null.</summary>
    static async Task<ChaosSilo?> TryHangOne(ChaosSilo[] candidates, System.Diagnostics.Stopwatch clock)
    {
        foreach (var candidate in candidates)
        {
            candidate.Signal("STOP");
            clock.Restart();
            try
            {
                await Wait.Until(async () => await TcpPeers.UnreadAsync(candidate.Pid, candidate.GatewayPort) > 0, TimeSpan.FromSeconds(3), "a poll to wait at the stopped gateway");
                return candidate;
            }
            catch (WaitTimeoutException)
            {
                candidate.Signal("CONT");
            }
        }
        return null;
    }

    /// <summary>Output since the kill shows the watch following: it reconnected, or printed progress without losing the cluster at all.</summary>
    static bool FollowsOn(string since)
        => since.Contains("reconnected", StringComparison.Ordinal)
           || (!since.Contains("lost the cluster", StringComparison.Ordinal) && since.Contains("failover running step", StringComparison.Ordinal));
}
