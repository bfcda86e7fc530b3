namespace Thresher.Core.Aggregation;

/// <summary>
/// Where a step's worker gradients are summed (--aggregate): all at the parameter server (none, the default), or first
/// on each silo by an aggregator that sends one partial sum per silo (per-silo).
/// </summary>
public enum AggregationMode
{
    None,
    PerSilo,
}

public static class AggregationModes
{
    /// <summary>"none" (or empty: a config stored before the option existed) or "per-silo"; anything else is one line naming the choices.</summary>
    public static AggregationMode Parse(string? text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "none" => AggregationMode.None,
        "per-silo" => AggregationMode.PerSilo,
        _ => throw new ThresherInputException($"aggregate '{text}': must be none or per-silo"),
    };

    public static string Name(this AggregationMode mode) => mode == AggregationMode.PerSilo ? "per-silo" : "none";
}
