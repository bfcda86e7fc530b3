using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Thresher.Silo;

/// <summary>
/// With Redis membership: checks every <see cref="Period"/> that this silo's row is still in the membership table.
/// A Redis that restarted without its data (no persistence) has lost the table, and Orleans then only warns, with
/// membership frozen; a silo that finds its row gone <see cref="MissedChecksLimit"/> checks in a row exits with
/// code 3 — a supervisor (compose's restart policy, Kubernetes, systemd) restarts it and it joins afresh. A table
/// that cannot be read (Redis paused or down) is an outage, not a loss: the silo waits it out.
/// </summary>
sealed partial class MembershipWatchdog(IMembershipTable table, ILocalSiloDetails silo, IHostApplicationLifetime lifetime, ILogger<MembershipWatchdog> logger)
    : BackgroundService
{
    public const int LostExitCode = 3;
    static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    const int MissedChecksLimit = 3;

    /// <summary>Set when the watchdog stopped the silo: the process's exit code.</summary>
    public static int? ExitCode { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int missed = 0;
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            bool listed;
            try
            {
                var data = await table.ReadAllAsync().ConfigureAwait(false);
                listed = data.Members.Any(m => m.Item1.SiloAddress.Equals(silo.SiloAddress));
            }
            catch (Exception e) when (e is not OperationCanceledException && Unreachable(e))
            {
                continue; // Redis does not answer: an outage, waited out
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                listed = false; // Redis answers, but the table cannot be read: it is gone
                LogUnreadable(logger, e.GetType().Name, e.Message);
            }
            missed = listed ? 0 : missed + 1;
            if (missed < MissedChecksLimit) continue;
            Lost();
            return;
        }
    }

    /// <summary>Says why on stderr (one line), stops the host, and makes sure the process ends even if stopping hangs.</summary>
    void Lost()
    {
        ExitCode = LostExitCode;
        LogLost(logger, silo.SiloAddress.ToString());
        Console.Error.WriteLine($"thresher-silo: the membership table no longer lists this silo ({silo.SiloAddress}): Redis lost its data (restarted without persistence?); exiting with code {LostExitCode} so a supervisor restarts it and it joins afresh");
        lifetime.StopApplication();
        _ = Task.Delay(TimeSpan.FromSeconds(20)).ContinueWith(_ => Environment.Exit(LostExitCode), TaskScheduler.Default); // a stop stuck on the lost table
    }

    /// <summary>Redis did not answer (connection refused or lost, timeout), as opposed to answering without the table.</summary>
    static bool Unreachable(Exception e)
        => e is TimeoutException or StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException
           || (e.InnerException is { } inner && Unreachable(inner));

    [LoggerMessage(Level = LogLevel.Warning, Message = "membership table unreadable ({Kind}: {Reason})")]
    static partial void LogUnreadable(ILogger logger, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "silo {Silo}: its row is gone from the membership table; stopping (exit code 3)")]
    static partial void LogLost(ILogger logger, string silo);
}
