using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Client.Cluster;

namespace Thresher.Client.Commands;

/// <summary>`thresher status RUN`: one run's state, progress and last measurements.</summary>
public sealed class StatusCommand(IAnsiConsole console) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
        var status = await KnownRun.StatusAsync(cluster.Client, settings.RunId).ConfigureAwait(false);
        var grid = new Grid().AddColumn().AddColumn();
        void Row(string name, string value) => grid.AddRow(new Text(name), new Text(value));
        Row("run", status.RunId);
        Row("state", status.State.ToString().ToLowerInvariant() + (status.Stalled is { } stall ? $" (stalled: {stall})" : ""));
        Row("step", string.Create(CultureInfo.InvariantCulture, $"{status.Step}/{status.TotalSteps} ({status.StepsPerEpoch} per epoch)"));
        Row("config", status.Config?.ToString() ?? "-");
        Row("loss", status.LastLoss?.ToString("G6", CultureInfo.InvariantCulture) ?? "-");
        Row("global norm", status.LastGlobalNorm?.ToString("G6", CultureInfo.InvariantCulture) ?? "-");
        Row("test accuracy", status.TestAccuracy?.ToString("P2", CultureInfo.InvariantCulture) ?? "-");
        Row("clipped / skipped", string.Create(CultureInfo.InvariantCulture, $"{status.ClippedSteps} / {status.SkippedSteps}"));
        Row("wall", string.Create(CultureInfo.InvariantCulture, $"{status.WallSeconds:F1} s, {status.SamplesPerSecond:F0} samples/s"));
        Row("silos", string.Join(' ', status.Silos));
        if (status.BytesPerStep is { } bytes) Row("bytes per step", CommunicationLine(bytes));
        if (status.Resumes > 0)
            Row("resumes", string.Create(CultureInfo.InvariantCulture, $"{status.Resumes} (latest from the checkpoint at step {status.LastResumeStep})"));
        if (status.LastResumeWarning is { } warning) Row("checkpoint warning", warning);
        if (status.Spikes > 0 || status.Rewinds > 0)
            Row("spikes / rewinds", string.Create(CultureInfo.InvariantCulture, $"{status.Spikes} / {status.Rewinds} (--on-spike {status.Config?.OnSpike})"));
        if (status.SuspectSilos.Length > 0) Row("suspect silos", string.Join(' ', status.SuspectSilos) + " (a replay found their worker's gradient faulty)");
        if (status.Placement is { } placement)
            Row("moved off silos", (status.AvoidedSilos.Length > 0 ? string.Join(' ', status.AvoidedSilos) : "none") + $" (latest: {placement})");
        if (status.SkipBatches.Length > 0) Row("skip list", string.Join(',', status.SkipBatches) + " (batches a replay found to cause a spike)");
        if (status.LastAlert is { } alert) Row("last alert", string.Create(CultureInfo.InvariantCulture, $"step {alert.Step}, {alert.Reason}: {alert.Detail}"));
        if (status.Error is { } error) Row("error", error);
        console.Write(grid);
        return ExitCodes.Success;
    }

    /// <summary>The mean payload bytes per step: the workers' θ in and gradients out (summed), the parameter server's, and the part that crossed silos.</summary>
    internal static string CommunicationLine(CommunicationBytes b)
    {
        static string MB(long bytes) => (bytes / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " MB";
        return $"workers θ in {MB(b.WorkerReceived)}, gradients out {MB(b.WorkerSent)}; parameter server in {MB(b.ServerReceived)} " +
            $"({MB(b.ServerRemoteReceived)} from other silos), out {MB(b.ServerSent)} ({MB(b.ServerRemoteSent)} to other silos); " +
            (b.AggregatorSent > 0 ? $"silo aggregators in {MB(b.AggregatorReceived)} ({MB(b.AggregatorRemoteReceived)} from other silos), out {MB(b.AggregatorSent)}; " : "") +
            "payloads only, Orleans framing not counted";
    }
}

/// <summary>
/// Looks up a run that must exist; an unknown id is bad input (exit 2); an id the run list names whose record storage
/// lost is <see cref="RunLostException"/> (exit 1), so a run `runs` lists always answers. Through a dying gateway the
/// calls fail over (<see cref="GatewayFailover"/>).
/// </summary>
static class KnownRun
{
    public static async Task<RunStatus> StatusAsync(IClusterClient client, string runId)
    {
        var status = await GatewayFailover.CallAsync(client.GetGrain<IRunGrain>(runId).GetStatus, $"run '{runId}': status").ConfigureAwait(false);
        if (status.Config is not null) return status;
        var listed = await GatewayFailover.CallAsync(client.GetGrain<IRunRegistryGrain>(0).List, "the run list").ConfigureAwait(false);
        if (listed.Contains(runId, StringComparer.Ordinal)) throw new RunLostException(runId);
        throw new ThresherInputException($"run '{runId}': no such run on this cluster — 'thresher runs' lists them");
    }
}
