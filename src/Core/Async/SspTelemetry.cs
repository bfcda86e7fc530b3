using System.Diagnostics.Metrics;
using Thresher.Core.Telemetry;

namespace Thresher.Core.Async;

/// <summary>Names and instruments of bounded-staleness training, on Thresher's own ActivitySource and Meter.</summary>
public static class SspTelemetry
{
    /// <summary>One push taken by the parameter server (span), with its worker, clock and staleness.</summary>
    public const string PushSpan = "train.ssp.push";

    /// <summary>Span attribute and histogram: the push's staleness τ in clocks.</summary>
    public const string Staleness = "thresher.ssp.staleness";

    /// <summary>Span attribute: the clock (data batch index) the push computed.</summary>
    public const string Clock = "thresher.ssp.clock";

    /// <summary>Span attribute: the server's version (completed clocks) of the θ the push was computed on.</summary>
    public const string ReadVersion = "thresher.ssp.read_version";

    /// <summary>Staleness τ of every push (clocks).</summary>
    public static Histogram<long> StalenessHistogram { get; } =
        TrainingTelemetry.Meter.CreateHistogram<long>(Staleness, unit: "{clock}", description: "Staleness of each push in bounded-staleness (ssp) training: server version at apply − version read");
}
