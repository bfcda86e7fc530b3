using System.Globalization;
using Spectre.Console;
using Thresher.Abstractions;
using Thresher.Client.Output;

namespace Thresher.Client.Watching;

/// <summary>
/// Follows a run from a client: polls status and new history at a bounded rate (each poll is a few small
/// calls, so a slow link carries little), appends steps to the metrics file, and shows the run — the live
/// <see cref="WatchView"/> on a terminal, plain progress lines elsewhere (logs, CI). Alerts, skipped steps
/// and evaluations are printed as they arrive. Returns the run's final status.
/// </summary>
public sealed class RunWatcher(IAnsiConsole console, IRunGrain run)
{
    const int HistoryPage = 1000;

    /// <summary>Time between polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Watches until the run finishes. On <paramref name="interrupt"/>: cancels the run and keeps watching
    /// when <paramref name="cancelRunOnInterrupt"/>, otherwise stops watching and returns (the run goes on).
    /// </summary>
    public async Task<(RunStatus Status, bool Detached)> WatchAsync(MetricsCsv? metrics, bool cancelRunOnInterrupt, CancellationToken interrupt)
    {
        var view = new WatchView();
        var status = await Cluster.GatewayFailover.CallAsync(run.GetStatus, "watch: status").ConfigureAwait(false);
        if (console.Profile.Capabilities.Interactive)
        {
            (RunStatus, bool) result = default;
            await console.Live(view.Render(status)).AutoClear(false).StartAsync(async live =>
            {
                result = await Loop(view, metrics, cancelRunOnInterrupt, interrupt, printEvents: false, s =>
                {
                    live.UpdateTarget(view.Render(s));
                    live.Refresh();
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return result;
        }
        long nextLine = 0;
        long every = Math.Max(1, status.TotalSteps / 20);
        bool stalled = false;
        return await Loop(view, metrics, cancelRunOnInterrupt, interrupt, printEvents: true, s =>
        {
            if (s.Stalled is { } stall && !stalled) console.MarkupLineInterpolated($"  [yellow]stalled: {stall}[/]");
            if (s.Stalled is null && stalled && !s.State.IsFinished()) console.WriteLine("  storage answers again; going on");
            stalled = s.Stalled is not null;
            if (s.Step < nextLine && !s.State.IsFinished()) return;
            console.WriteLine(Describe(s));
            nextLine = (s.Step / every + 1) * every;
        }).ConfigureAwait(false);
    }

    async Task<(RunStatus, bool)> Loop(WatchView view, MetricsCsv? metrics, bool cancelRunOnInterrupt, CancellationToken interrupt, bool printEvents, Action<RunStatus> show)
    {
        bool cancelling = false;
        long next = 0;
        while (true)
        {
            if (interrupt.IsCancellationRequested && !cancelling)
            {
                if (!cancelRunOnInterrupt) return (_last ?? await run.GetStatus().ConfigureAwait(false), true); // detaching needs no cluster
                cancelling = true;
                console.MarkupLine("[yellow]interrupted: cancelling the run after its current step…[/]");
                await Cluster.GatewayFailover.CallAsync(run.Cancel, "cancel", Cluster.GatewayFailover.CancelTimeout, Cluster.GatewayFailover.Limit).ConfigureAwait(false);
            }
            if (await PollAsync(view, metrics, next, printEvents, interrupt).ConfigureAwait(false) is not ({ } status, long drained))
                continue; // the gateway was lost: reconnecting (through another gateway when there are several)
            next = drained;
            show(status);
            if (status.State.IsFinished())
            {
                await Drain(view, metrics, next, printEvents).ConfigureAwait(false);
                metrics?.Flush();
                return (status, false);
            }
            try
            {
                await Task.Delay(PollInterval, interrupt).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // handled at the top of the loop
            }
        }
    }

    /// <summary>How long the watch keeps trying to reach the cluster again after losing its gateway, before it gives up (exit 3).</summary>
    public TimeSpan ReconnectLimit { get; init; } = TimeSpan.FromMinutes(5);

    DateTimeOffset? _lostSince;
    RunStatus? _last;

    /// <summary>
    /// Status and the new steps, or null when the cluster did not answer (its gateway died or hangs): the watch says so
    /// once, waits a poll, and asks again — the Orleans client moves to another gateway meanwhile — until
    /// <see cref="ReconnectLimit"/>, then throws <see cref="Cluster.ClusterUnreachableException"/>. The run is unaffected.
    /// </summary>
    async Task<(RunStatus, long)?> PollAsync(WatchView view, MetricsCsv? metrics, long next, bool printEvents, CancellationToken interrupt)
    {
        try
        {
            // Each call with a deadline: one sent to a gateway just killed is never answered (Cluster.GatewayFailover).
            var status = await run.GetStatus().WaitAsync(Cluster.GatewayFailover.CallTimeout).ConfigureAwait(false);
            long drained = await Drain(view, metrics, next, printEvents).ConfigureAwait(false);
            if (_lostSince is not null) console.MarkupLine("[green]reconnected[/]: following the run again");
            _lostSince = null;
            _last = status;
            return (status, drained);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            var now = DateTimeOffset.UtcNow;
            if (_lostSince is null)
                console.MarkupLineInterpolated($"[yellow]lost the cluster ({e.GetType().Name}); reconnecting — the run goes on…[/]");
            _lostSince ??= now;
            if (now - _lostSince > ReconnectLimit)
                throw new Cluster.ClusterUnreachableException($"lost the cluster while watching run {_last?.RunId}: no gateway answered for {ReconnectLimit.TotalSeconds:0} s ({e.GetType().Name}: {e.Message}); the run may still be going on", e);
            await Task.Delay(TimeSpan.FromSeconds(1), interrupt).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return null;
        }
    }

    /// <summary>Fetches the steps after <paramref name="next"/>; returns the new next step.</summary>
    async Task<long> Drain(WatchView view, MetricsCsv? metrics, long next, bool printEvents)
    {
        while (true)
        {
            var records = await run.GetHistory(next, HistoryPage).WaitAsync(Cluster.GatewayFailover.CallTimeout).ConfigureAwait(false);
            foreach (var record in records)
            {
                metrics?.Append(record);
                view.Add(record);
                if (printEvents) PrintEvents(record);
            }
            next += records.Length;
            if (records.Length < HistoryPage) return next;
        }
    }

    void PrintEvents(StepRecord record)
    {
        foreach (var alert in record.Alerts)
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"  [red bold]ALERT[/] [red]step {alert.Step}: gradient explosion ({alert.Reason}): {alert.Detail}[/]");
        if (record.Skipped)
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"  [red]step {record.Step}: gradient norm {record.GlobalNorm} — step skipped[/]");
        if (record.TestAccuracy is double accuracy)
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"  step {record.Step + 1}: test accuracy [green]{accuracy:P2}[/]");
    }

    static string Describe(RunStatus s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.RunId} {s.State.ToString().ToLowerInvariant()} step {s.Step}/{s.TotalSteps} loss {Fmt(s.LastLoss)} |g| {Fmt(s.LastGlobalNorm)} clipped {s.ClippedSteps} skipped {s.SkippedSteps} alerts {s.AlertCount}{(s.TestAccuracy is double a ? $" acc {a:P2}" : "")}");

    static string Fmt(double? v) => v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : "-";
}
