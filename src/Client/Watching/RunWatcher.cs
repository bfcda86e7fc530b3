using System.Globalization;
using Spectre.Console;
using Thresher.Abstractions;
using Thresher.Client.Output;

namespace Thresher.Client.Watching;

/// <summary>
/// Follows a run from a client: polls status and new history at a bounded rate (so a slow link carries
/// little), appends steps to the metrics file, and shows progress — a live bar on a terminal, plain
/// lines elsewhere. Returns the run's final status.
/// </summary>
public sealed class RunWatcher(IAnsiConsole console, IRunGrain run)
{
    /// <summary>Time between polls. Each poll is two small calls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Watches until the run finishes. On <paramref name="interrupt"/>: cancels the run and keeps watching
    /// when <paramref name="cancelRunOnInterrupt"/>, otherwise stops watching and returns (the run goes on).
    /// </summary>
    public async Task<(RunStatus Status, bool Detached)> WatchAsync(MetricsCsv? metrics, bool cancelRunOnInterrupt, CancellationToken interrupt)
    {
        var status = await run.GetStatus().ConfigureAwait(false);
        var state = new WatchState(metrics);
        if (console.Profile.Capabilities.Interactive)
        {
            bool detached = false;
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(Describe(status), maxValue: Math.Max(1, status.TotalSteps));
                    (status, detached) = await Loop(state, cancelRunOnInterrupt, interrupt, s =>
                    {
                        task.Value = s.Step;
                        task.Description = Describe(s);
                    }).ConfigureAwait(false);
                    task.StopTask();
                }).ConfigureAwait(false);
            return (status, detached);
        }
        long nextLine = 0;
        long every = Math.Max(1, status.TotalSteps / 20);
        return await Loop(state, cancelRunOnInterrupt, interrupt, s =>
        {
            if (s.Step >= nextLine || s.State.IsFinished())
            {
                console.WriteLine(Describe(s));
                nextLine = (s.Step / every + 1) * every;
            }
        }).ConfigureAwait(false);
    }

    async Task<(RunStatus, bool)> Loop(WatchState state, bool cancelRunOnInterrupt, CancellationToken interrupt, Action<RunStatus> show)
    {
        bool cancelling = false;
        while (true)
        {
            if (interrupt.IsCancellationRequested && !cancelling)
            {
                if (!cancelRunOnInterrupt) return (await run.GetStatus().ConfigureAwait(false), true);
                cancelling = true;
                console.MarkupLine("[yellow]interrupted: cancelling the run after its current step…[/]");
                await run.Cancel().ConfigureAwait(false);
            }
            var status = await run.GetStatus().ConfigureAwait(false);
            await Drain(state).ConfigureAwait(false);
            show(status);
            if (status.State.IsFinished())
            {
                await Drain(state).ConfigureAwait(false);
                state.Metrics?.Flush();
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

    async Task Drain(WatchState state)
    {
        while (true)
        {
            var records = await run.GetHistory(state.NextStep, 1000).ConfigureAwait(false);
            foreach (var record in records)
            {
                state.Metrics?.Append(record);
                if (record.TestAccuracy is double accuracy)
                    console.MarkupLine(CultureInfo.InvariantCulture, "  step {0}: test accuracy [green]{1:P2}[/]", record.Step + 1, accuracy);
                if (record.Skipped)
                    console.MarkupLine(CultureInfo.InvariantCulture, "  [red]step {0}: gradient norm {1} — step skipped[/]", record.Step, record.GlobalNorm);
            }
            state.NextStep += records.Length;
            if (records.Length < 1000) return;
        }
    }

    static string Describe(RunStatus s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.RunId} {s.State.ToString().ToLowerInvariant()} step {s.Step}/{s.TotalSteps} loss {Fmt(s.LastLoss)} |g| {Fmt(s.LastGlobalNorm)} clipped {s.ClippedSteps} skipped {s.SkippedSteps}{(s.TestAccuracy is double a ? $" acc {a:P2}" : "")}");

    static string Fmt(double? v) => v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : "-";

    sealed class WatchState(MetricsCsv? metrics)
    {
        public MetricsCsv? Metrics { get; } = metrics;
        public long NextStep { get; set; }
    }
}
