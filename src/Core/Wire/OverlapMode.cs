namespace Thresher.Core.Wire;

/// <summary>
/// Whether a worker's θ and gradient travel in parts overlapped with its compute (<c>--overlap</c>,
/// <see cref="Model.StreamPlan"/>). The trajectory is bit-identical in every mode: the parts are the first layer's own
/// k blocks, so a streamed step computes the same bits as a whole one.
/// </summary>
public enum OverlapMode
{
    /// <summary>θ travels whole with the request and the gradient whole with the reply (one call each way).</summary>
    Off,

    /// <summary>Streamed for the workers on other silos than the parameter server's (as their last reply said), whole for its own silo's, where nothing crosses a wire.</summary>
    Auto,

    /// <summary>Streamed for every worker.</summary>
    On,
}

/// <summary>Names of the overlap modes.</summary>
public static class OverlapModes
{
    /// <summary>off, auto or on (any case); null or empty (a config stored before the option existed) is off.</summary>
    public static OverlapMode Parse(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "off" => OverlapMode.Off,
        "auto" => OverlapMode.Auto,
        "on" => OverlapMode.On,
        _ => throw new ThresherInputException($"overlap '{name}': must be off, auto or on"),
    };

    public static string Name(this OverlapMode mode) => mode switch { OverlapMode.Auto => "auto", OverlapMode.On => "on", _ => "off" };
}
