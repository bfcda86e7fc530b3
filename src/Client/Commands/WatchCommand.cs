using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Client.Watching;

namespace Thresher.Client.Commands;

/// <summary>`thresher watch RUN`: the live view of a run on a cluster; exits with the run's result.</summary>
public sealed class WatchCommand(IAnsiConsole console) : AsyncCommand<WatchCommand.Settings>
{
    public sealed class Settings : RunIdSettings
    {
        [CommandOption("--refresh <MS>")]
        [Description("Milliseconds between polls of the cluster (100..60000). Default 500: a few small calls each, fine over a slow link.")]
        [DefaultValue(500)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int RefreshMilliseconds { get; init; } = 500;

        public override ValidationResult Validate()
            => RefreshMilliseconds is < 100 or > 60_000
                ? ValidationResult.Error($"refresh {RefreshMilliseconds}: must be in 100..60000 ms")
                : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
        await KnownRun.StatusAsync(cluster.Client, settings.RunId).ConfigureAwait(false);
        var watcher = new RunWatcher(console, cluster.Client.GetGrain<IRunGrain>(settings.RunId)) { PollInterval = TimeSpan.FromMilliseconds(settings.RefreshMilliseconds) };
        var (status, detached) = await watcher.WatchAsync(null, cancelRunOnInterrupt: false, cancellation).ConfigureAwait(false);
        if (detached) return ExitCodes.Success;
        if (status.Error is { } error) console.MarkupLineInterpolated($"[red]run failed:[/] {error}");
        return status.State == RunState.Completed ? ExitCodes.Success : ExitCodes.RunFailed;
    }
}
