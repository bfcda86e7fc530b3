using System.Diagnostics;
using System.Globalization;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// The chaos soak (README "Reliability"): 3 silo processes with Redis membership, reminders and checkpoints (this test's
/// own Redis, persisted in an append-only file), the fast failure-detection settings, 3 runs at once; for
/// THRESHER_SOAK_MINUTES (default 3) a random fault every 15-40 s (<see cref="ChaosSchedule"/>, seed printed,
/// THRESHER_SOAK_SEED replays it). After each fault every run must get back past its step at the fault; the next
/// fault comes only then. At the end every run completed with θ bit-equal to its undisturbed twin and each step id
/// once in its history, and no silo or Redis process is left.
/// </summary>
public sealed class ChaosSoakTests(SyntheticData data, ITestOutputHelper log) : IClassFixture<SyntheticData>, IDisposable
{
    static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(150);
    readonly string _work = Directory.CreateTempSubdirectory("thresher-soak-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [RedisFact]
    public async Task Random_faults_for_minutes_leave_every_run_equal_to_its_undisturbed_twin()
    {
        double minutes = Setting("THRESHER_SOAK_MINUTES", 3);
        int seed = (int)Setting("THRESHER_SOAK_SEED", Environment.TickCount & 0xFFFF);
        var schedule = new ChaosSchedule(seed, silos: 3);
        log.WriteLine($"chaos soak: seed {seed} (THRESHER_SOAK_SEED={seed} replays this schedule), {minutes} min");
        try
        {
            await Soak(schedule, TimeSpan.FromMinutes(minutes));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"chaos soak with seed {seed}: {e.Message}", e);
        }
    }

    async Task Soak(ChaosSchedule schedule, TimeSpan duration)
    {
        var pids = new List<int>();
        var redis = RedisServer.Own();
        var silos = default(ChaosSilos);
        try
        {
            await redis.InitializeAsync();
            pids.Add(redis.Pid!.Value);
            string clusterId = $"soak-{Guid.NewGuid():N}"[..16];
            silos = await ChaosSilos.StartAsync(redis.Address, clusterId, 3, log);
            string gateways = string.Join(',', Enumerable.Range(0, 3).Select(i => silos[i].Gateway));
            await using var client = await Cluster.RemoteCluster.ConnectAsync(gateways, clusterId, TimeSpan.FromSeconds(30), CancellationToken.None);
            var runs = new SoakRuns(client.Client, gateways, clusterId, data.Directory, _work, log);
            await runs.RunTwinsAsync();
            var faults = new ChaosFaults(silos, redis, clusterId, client.Client, log);
            var recoveries = await InjectFor(duration, schedule, faults, runs);
            Assert.NotEmpty(recoveries);
            pids.AddRange(faults.RedisPids);
            await runs.DrainAndCheckAsync();
            log.WriteLine($"chaos soak, seed {schedule.Seed}: {recoveries.Count} faults ({string.Join(", ", recoveries.GroupBy(r => r.Fault).Select(g => $"{g.Count()} {g.Key}"))}), "
                + $"{runs.Finished} runs completed bit-equal to their twins; worst recovery {recoveries.Max(r => r.Seconds):F1} s ({recoveries.MaxBy(r => r.Seconds).Fault}), "
                + $"per kind: {string.Join(", ", recoveries.GroupBy(r => r.Fault).Select(g => $"{g.Key} ≤ {g.Max(r => r.Seconds):F1} s"))}");
            Assert.True(runs.Finished >= SoakRuns.Concurrent, $"only {runs.Finished} runs finished");
        }
        finally
        {
            if (silos is not null)
            {
                await silos.DisposeAsync();
                pids.AddRange(silos.Pids);
            }
            if (redis.Pid is { } last) pids.Add(last);
            redis.Dispose();
        }
        var left = pids.Distinct().Where(pid => Directory.Exists($"/proc/{pid}")).ToList();
        Assert.True(left.Count == 0, $"processes left behind: {string.Join(' ', left)}");
    }

    /// <summary>Faults until <paramref name="duration"/> is over; returns each fault's recovery (injection → every run past its step then).</summary>
    async Task<List<(ChaosFault Fault, double Seconds)>> InjectFor(TimeSpan duration, ChaosSchedule schedule, ChaosFaults faults, SoakRuns runs)
    {
        var recoveries = new List<(ChaosFault, double)>();
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        await runs.TopUpAsync();
        while (true)
        {
            var fault = schedule.Next();
            var at = last + fault.After;
            if (at > duration) break;
            // The schedule's gap, not a wait for a state: the fault comes this long after the previous one.
            if (at > clock.Elapsed) await Task.Delay(at - clock.Elapsed);
            await runs.TopUpAsync();
            var before = await runs.StepsAsync();
            last = clock.Elapsed;
            log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {fault}; runs at {string.Join(", ", before.Select(p => $"{p.Key} {p.Value}"))}");
            double seconds = await InjectAndRecover(fault, faults, runs, before);
            recoveries.Add((fault.Fault, seconds));
            log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} recovered from fault {fault.Number} in {seconds:F1} s");
        }
        return recoveries;
    }

    /// <summary>
    /// Injects <paramref name="fault"/> and returns its recovery time. A silo fault's clock starts at the injection: the
    /// runs must route around the missing silo (every run past its step then) while it is still dead or stopped. A Redis
    /// fault's clock starts when Redis is back (runs step on between checkpoints while it is away, then stall): every
    /// run past its step at that moment. Either way every run must move on after the fault was undone.
    /// </summary>
    static async Task<double> InjectAndRecover(ChaosEvent fault, ChaosFaults faults, SoakRuns runs, Dictionary<string, long> before)
    {
        var clock = Stopwatch.StartNew();
        Task<double>? recovered = fault.Fault is ChaosFault.KillSilo or ChaosFault.StopSilo ? Recovery(runs, before, clock, fault) : null;
        await faults.InjectAsync(fault);
        var undone = await runs.StepsAsync();
        if (recovered is null)
        {
            clock.Restart();
            recovered = Recovery(runs, undone, clock, fault);
        }
        double seconds = await recovered;
        await Recovery(runs, undone, clock, fault);
        return seconds;
    }

    static async Task<double> Recovery(SoakRuns runs, Dictionary<string, long> from, Stopwatch clock, ChaosEvent fault)
    {
        // Each run watched on its own, so a call hanging on a stopped silo delays only the run it asked about.
        var each = from.Select(async p =>
        {
            await Wait.Until(() => runs.PastAsync(p.Key, p.Value), RecoveryLimit, $"{p.Key} to get past step {p.Value} after {fault}",
                retryOn: e => e is OrleansException or TimeoutException);
            return clock.Elapsed.TotalSeconds;
        });
        return (await Task.WhenAll(each)).DefaultIfEmpty(0).Max();
    }

    static double Setting(string name, double fallback)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
