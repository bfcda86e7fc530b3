namespace Thresher.Abstractions;

/// <summary>
/// A gradient-explosion alert raised at a step (see Core's ExplosionDetector).
/// </summary>
/// <param name="Step">The step whose pre-clip global norm raised it.</param>
/// <param name="Reason">nonfinite, threshold or spike.</param>
/// <param name="Value">The global norm that raised it.</param>
/// <param name="Baseline">What it was compared with: the threshold, or the rolling median / mean of the window.</param>
/// <param name="Detail">One line for people, e.g. "global norm 2604 is 10.1× the rolling median 257".</param>
[GenerateSerializer, Immutable]
public sealed record GradientAlert(
    [property: Id(0)] long Step,
    [property: Id(1)] string Reason,
    [property: Id(2)] double Value,
    [property: Id(3)] double Baseline,
    [property: Id(4)] string Detail);
