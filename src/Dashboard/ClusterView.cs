using System.Text.Json;
using System.Text.Json.Serialization;

namespace Thresher.Dashboard;

/// <summary>One silo as `thresher cluster` and the dashboard's cluster page show it. Runs lists the runs whose run grain lives there.</summary>
public sealed record SiloView(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("gateway")] string? Gateway,
    [property: JsonPropertyName("heartbeat_age_seconds")] double? HeartbeatAgeSeconds,
    [property: JsonPropertyName("workers")] string[] Workers,
    [property: JsonPropertyName("runs")] string[] Runs,
    [property: JsonPropertyName("parameter_servers")] string[] ParameterServers);

/// <summary>The `thresher cluster --json` document, also `GET /api/cluster`.</summary>
public sealed record ClusterView([property: JsonPropertyName("silos")] SiloView[] Silos)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Membership from the management grain, then one statistics call over the active silos.</summary>
    public static async Task<SiloView[]> ReadAsync(IGrainFactory grains, bool includeGone)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: !includeGone).ConfigureAwait(false);
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var statistics = active.Length == 0 ? [] : await management.GetDetailedGrainStatistics(null, active).ConfigureAwait(false);
        var now = DateTime.UtcNow;
        return [.. hosts
            .OrderBy(h => h.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal)
            .Select(h =>
            {
                var here = statistics.Where(g => g.SiloAddress.Equals(h.SiloAddress)).ToArray();
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
