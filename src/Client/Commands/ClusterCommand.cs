using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>
/// `thresher cluster`: the cluster's silos as the membership table has them (status, gateway, age of the
/// last heartbeat) and the Thresher grains each active silo hosts (workers "RUN/w", runs, parameter servers).
/// </summary>
public sealed class ClusterCommand(IAnsiConsole console) : AsyncCommand<ClusterCommand.Settings>
{
    public sealed class Settings : GatewaySettings
    {
        [CommandOption("--json")]
        [Description("Print the silos as JSON (one object with a 'silos' array) instead of a table.")]
        public bool Json { get; init; }

        [CommandOption("--all")]
        [Description("Also list silos that left or died (the membership table keeps them for a while).")]
        public bool All { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
        SiloView[] silos;
        try
        {
            silos = await ClusterView.ReadAsync(cluster.Client, settings.All).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or Orleans.Serialization.CodecNotFoundException)
        {
            // The gateway answered, but membership did not: e.g. its Redis lost or is restarting (the provider's
            // exception type is not even known to this client). A health check's answer: unavailable, exit 3.
            throw new Cluster.ClusterUnreachableException($"the gateway at {settings.Gateway} answered, but the cluster's membership could not be read ({e.GetType().Name}: {e.Message.Split('\n')[0]}); is its Redis up?", e);
        }
        if (settings.Json)
        {
            console.WriteLine(JsonSerializer.Serialize(new ClusterView(silos), ClusterView.JsonOptions));
            return ExitCodes.Success;
        }
        var table = new Table().AddColumns("silo", "name", "status", "gateway", "heartbeat", "workers", "runs");
        foreach (var s in silos)
        {
            table.AddRow(
                new Text(s.Address), new Text(s.Name), new Text(s.Status), new Text(s.Gateway ?? "-"),
                new Text(s.HeartbeatAgeSeconds is double age ? string.Create(CultureInfo.InvariantCulture, $"{age:F0} s ago") : "-"),
                new Text(s.Workers.Length == 0 ? "-" : string.Join(' ', s.Workers)),
                new Text(s.Runs.Length == 0 ? "-" : string.Join(' ', s.Runs)));
        }
        console.Write(table);
        int active = silos.Count(s => s.Status == "active");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{active} active silo(s), {silos.Sum(s => s.Workers.Length)} worker(s)"));
        return ExitCodes.Success;
    }
}

/// <summary>One silo as `thresher cluster` shows it. Runs lists the runs whose run grain lives there.</summary>
public sealed record SiloView(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("gateway")] string? Gateway,
    [property: JsonPropertyName("heartbeat_age_seconds")] double? HeartbeatAgeSeconds,
    [property: JsonPropertyName("workers")] string[] Workers,
    [property: JsonPropertyName("runs")] string[] Runs,
    [property: JsonPropertyName("parameter_servers")] string[] ParameterServers);

/// <summary>The `thresher cluster --json` document.</summary>
public sealed record ClusterView([property: JsonPropertyName("silos")] SiloView[] Silos)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Membership from the management grain, then one statistics call over the active silos.</summary>
    public static async Task<SiloView[]> ReadAsync(IClusterClient client, bool includeGone)
    {
        ArgumentNullException.ThrowIfNull(client);
        var management = client.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: !includeGone).ConfigureAwait(false);
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var grains = active.Length == 0 ? [] : await management.GetDetailedGrainStatistics(null, active).ConfigureAwait(false);
        var now = DateTime.UtcNow;
        return [.. hosts
            .OrderBy(h => h.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal)
            .Select(h =>
            {
                var here = grains.Where(g => g.SiloAddress.Equals(h.SiloAddress)).ToArray();
                return new SiloView(
                    h.SiloAddress.Endpoint.ToString(),
                    h.SiloName ?? "",
                    h.Status.ToString().ToLowerInvariant(),
                    h.ProxyPort > 0 ? $"{h.SiloAddress.Endpoint.Address}:{h.ProxyPort}" : null,
                    h.IAmAliveTime > h.StartTime ? Math.Round((now - h.IAmAliveTime).TotalSeconds, 1) : null,
                    Keys(here, "worker"), Keys(here, "run"), Keys(here, "parameterserver"));
            })];
    }

    // Orleans' grain type names (class name without "Grain", lower case); the key is the run id, "RUN/w" for workers.
    static string[] Keys(DetailedGrainStatistic[] grains, string grainType)
        => [.. grains
            .Where(g => g.GrainId.Type.ToString() == grainType)
            .Select(g => g.GrainId.Key.ToString() ?? "")
            .Order(StringComparer.Ordinal)];
}
