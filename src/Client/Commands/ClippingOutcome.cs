using Thresher.Client.Reports;

namespace Thresher.Client.Commands;

/// <summary>
/// What one clip policy made of the tutorial's exploding run, from its history alone: the last test accuracy,
/// steps clipped and skipped, the largest finite pre- and post-clip global norm (post-clip over applied steps), the
/// first step whose norm was NaN or ∞, and the last threshold the policy used.
/// </summary>
sealed record ClippingOutcome(
    string Policy,
    double? FinalAccuracy,
    int Steps,
    int Clipped,
    int Skipped,
    double MaxPreClip,
    double MaxPostClip,
    long? FirstNonFinite,
    double LastThreshold)
{
    /// <summary>Rescued: no step went non-finite, so every step was applied.</summary>
    public bool Rescued => FirstNonFinite is null && Skipped == 0;

    public static ClippingOutcome From(string policy, RunHistory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var steps = run.Steps;
        var applied = steps.Where(s => !s.Skipped).ToArray();
        return new ClippingOutcome(
            policy,
            steps.LastOrDefault(s => s.TestAccuracy is not null)?.TestAccuracy,
            steps.Count,
            applied.Count(s => s.Clipped),
            steps.Count(s => s.Skipped),
            MaxFinite(steps.Select(s => s.GlobalNorm)),
            MaxFinite(applied.Select(s => s.ClippedNorm)),
            steps.FirstOrDefault(s => !double.IsFinite(s.GlobalNorm))?.Step,
            steps.Count > 0 ? steps[^1].ClipThreshold : double.NaN);
    }

    static double MaxFinite(IEnumerable<double> values)
        => values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
}
