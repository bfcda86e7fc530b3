using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Thresher.Core.Telemetry;

/// <summary>
/// Thresher's ActivitySource and Meter ("Thresher.Training") and its instruments. Only System.Diagnostics:
/// exporters are the hosts' business. Instruments cost nothing without a listener.
/// </summary>
public static class TrainingTelemetry
{
    public static ActivitySource Source { get; } = new(TelemetryNames.Source, "1.0");

    public static Meter Meter { get; } = new(TelemetryNames.Source, "1.0");

    /// <summary>Pre-clip global norm of every finite step.</summary>
    public static Histogram<double> GlobalNorm { get; } = Meter.CreateHistogram<double>(TelemetryNames.GlobalNormHistogram, description: "Pre-clip global gradient norm per step");

    public static Gauge<double> LastGlobalNorm { get; } = Meter.CreateGauge<double>(TelemetryNames.LastGlobalNormGauge, description: "Pre-clip global gradient norm of the latest step");

    public static Gauge<double> LastClippedNorm { get; } = Meter.CreateGauge<double>(TelemetryNames.LastClippedNormGauge, description: "Post-clip global gradient norm of the latest step");

    /// <summary>The clip policy's threshold of the latest step, when finite (tagged with the policy).</summary>
    public static Gauge<double> LastClipThreshold { get; } = Meter.CreateGauge<double>(TelemetryNames.LastClipThresholdGauge, description: "Clip threshold the run's clip policy used in the latest step");

    public static Gauge<double> LastLoss { get; } = Meter.CreateGauge<double>(TelemetryNames.LastLossGauge, description: "Mean loss of the latest step");

    /// <summary>Steps taken, tagged clipped=true|false.</summary>
    public static Counter<long> Steps { get; } = Meter.CreateCounter<long>(TelemetryNames.StepsCounter, unit: "{step}", description: "Training steps, by whether the gradient was clipped");

    /// <summary>Steps not applied, tagged reason=nonfinite.</summary>
    public static Counter<long> SkippedSteps { get; } = Meter.CreateCounter<long>(TelemetryNames.SkippedStepsCounter, unit: "{step}", description: "Steps skipped, by reason");

    /// <summary>Explosion alerts, tagged reason=nonfinite|threshold|spike.</summary>
    public static Counter<long> Explosions { get; } = Meter.CreateCounter<long>(TelemetryNames.ExplosionsCounter, unit: "{alert}", description: "Gradient explosion alerts, by reason");

    /// <summary>Steps the response ladder judged spikes, tagged action=none|skip|rewind and verdict=data|fault|none.</summary>
    public static Counter<long> Spikes { get; } = Meter.CreateCounter<long>(TelemetryNames.SpikesCounter, unit: "{step}", description: "Spikes the response ladder found, by action and verdict");

    public static Counter<long> Samples { get; } = Meter.CreateCounter<long>(TelemetryNames.SamplesCounter, unit: "{sample}", description: "Training samples processed");

    /// <summary>Failed writes to checkpoint storage (the run stalls and retries), tagged with the run id.</summary>
    public static Counter<long> StorageFailures { get; } = Meter.CreateCounter<long>(TelemetryNames.StorageFailuresCounter, unit: "{write}", description: "Failed writes to checkpoint storage; the run stalls and retries");

    /// <summary>How long a run has been stalled on checkpoint storage (0 when it steps), tagged with the run id.</summary>
    public static Gauge<double> StalledSeconds { get; } = Meter.CreateGauge<double>(TelemetryNames.StalledGauge, unit: "s", description: "Seconds a run has waited for checkpoint storage; 0 while it steps");

    /// <summary>Payload bytes of θ and gradients, tagged role (worker | parameter_server), direction (received | sent) and, at the parameter server, link (local | remote).</summary>
    public static Counter<long> CommunicationBytes { get; } = Meter.CreateCounter<long>(TelemetryNames.CommBytesCounter, unit: "By", description: "Payload bytes of θ and gradients, by role and direction (Orleans framing not counted)");

    public static Histogram<double> StepDuration { get; } = Meter.CreateHistogram<double>(TelemetryNames.StepDurationHistogram, unit: "ms", description: "Wall time of a step at the parameter server");
}
