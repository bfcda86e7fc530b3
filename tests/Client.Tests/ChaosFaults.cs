using Orleans.Runtime;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>
/// Injects one <see cref="ChaosEvent"/> of the soak and undoes it: a killed silo is started again on its ports, a stopped
/// one continued (and started again if it was declared dead and exited meanwhile), a paused Redis continued, a killed
/// one started again on its append-only file. Returns once the cluster has its 3 silos again.
/// </summary>
sealed class ChaosFaults(ChaosSilos silos, RedisServer redis, string clusterId, IClusterClient client, ITestOutputHelper log)
{
    static readonly TimeSpan ExitAfterContinueLimit = TimeSpan.FromSeconds(60);

    /// <summary>The redis-server processes started by restarts.</summary>
    public List<int> RedisPids { get; } = [];

    public async Task InjectAsync(ChaosEvent fault)
    {
        switch (fault.Fault)
        {
            case ChaosFault.KillSilo:
                silos[fault.Silo].Kill();
                await silos.RestartAsync(fault.Silo, redis.Address, clusterId);
                break;
            case ChaosFault.StopSilo:
                await StopSilo(fault.Silo);
                break;
            case ChaosFault.PauseRedis:
                redis.Signal("STOP");
                await Task.Delay(TimeSpan.FromSeconds(ChaosSchedule.RedisPauseSeconds)); // the fault's length, not a wait for a state
                redis.Signal("CONT");
                break;
            case ChaosFault.RestartRedis:
                await redis.RestartAsync();
                RedisPids.Add(redis.Pid!.Value);
                break;
        }
    }

    /// <summary>
    /// SIGSTOP for <see cref="ChaosSchedule.StopSeconds"/>, then SIGCONT. Stopped that long, the silo was declared dead,
    /// and Orleans ends a silo that finds itself dead: wait for that (or for it to be active again, when it was not
    /// declared dead), and start it again when it exited.
    /// </summary>
    async Task StopSilo(int i)
    {
        var silo = silos[i];
        silo.Signal("STOP");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(ChaosSchedule.StopSeconds)); // the fault's length, not a wait for a state
        }
        finally
        {
            silo.Signal("CONT");
        }
        await Wait.Until(async () => silo.HasExited || await IsActive(silo), ExitAfterContinueLimit,
            $"silo {silo.Address} to exit (declared dead) or be active again after SIGCONT", retryOn: e => e is OrleansException or TimeoutException);
        if (silo.HasExited)
        {
            log.WriteLine($"silo {silo.Address} exited after SIGCONT (it had been declared dead); starting it again");
            await silos.RestartAsync(i, redis.Address, clusterId);
        }
        else
        {
            log.WriteLine($"silo {silo.Address} is active again after SIGCONT");
        }
    }

    async Task<bool> IsActive(ChaosSilo silo)
    {
        var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return hosts.Keys.Any(a => a.Endpoint.ToString() == silo.Address) && !silo.HasExited;
    }
}
