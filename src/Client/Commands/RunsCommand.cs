using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;

namespace Thresher.Client.Commands;

/// <summary>`thresher runs`: the cluster's runs, one row each.</summary>
public sealed class RunsCommand(IAnsiConsole console) : AsyncCommand<GatewaySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, GatewaySettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
        var ids = await cluster.Client.GetGrain<IRunRegistryGrain>(0).List().ConfigureAwait(false);
        var table = new Table().AddColumns("run", "state", "step", "loss", "test accuracy", "clipped", "skipped");
        foreach (var id in ids)
        {
            var s = await cluster.Client.GetGrain<IRunGrain>(id).GetStatus().ConfigureAwait(false);
            // Listed with no stored record: checkpoint storage lost it (see RunLostException).
            table.AddRow(id, s.Config is null ? "lost" : s.State.ToString().ToLowerInvariant(), $"{s.Step}/{s.TotalSteps}",
                s.LastLoss?.ToString("G4", CultureInfo.InvariantCulture) ?? "-",
                s.TestAccuracy?.ToString("P2", CultureInfo.InvariantCulture) ?? "-",
                s.ClippedSteps.ToString(CultureInfo.InvariantCulture), s.SkippedSteps.ToString(CultureInfo.InvariantCulture));
        }
        if (ids.Length == 0) console.WriteLine("no runs");
        else console.Write(table);
        return ExitCodes.Success;
    }
}
