namespace Thresher.Core.Telemetry;

/// <summary>Why an alert fired.</summary>
public enum ExplosionReason
{
    NonFinite,
    Threshold,
    Growth,
    Spike,
}

/// <summary>
/// One alert: the step, the rule, the norm and what it was compared with; <see cref="Detail"/> says in one line what
/// grew, by how much, and which tensor and which worker grew most.
/// </summary>
public sealed record ExplosionAlert(long Step, ExplosionReason Reason, double Value, double Baseline, string Detail)
{
    /// <summary>nonfinite, threshold, growth or spike (the telemetry attribute value).</summary>
    public string ReasonName => Reason switch
    {
        ExplosionReason.NonFinite => "nonfinite",
        ExplosionReason.Threshold => "threshold",
        ExplosionReason.Growth => "growth",
        _ => "spike",
    };
}
