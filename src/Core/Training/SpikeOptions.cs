using System.Globalization;

namespace Thresher.Core.Training;

/// <summary>What the parameter server does with a step whose loss or global norm spikes (<see cref="SpikeGuard"/>).</summary>
public enum SpikeAction
{
    /// <summary>Report the spike, apply the step anyway (default; a non-finite step follows <see cref="NonFinitePolicy"/>).</summary>
    None,

    /// <summary>Do not apply the step's update (θ and optimizer state untouched); the batch is recorded as skipped.</summary>
    Skip,

    /// <summary>Skip, and after <see cref="SpikeOptions.RewindAfter"/> spikes (or one non-finite step) go back to a snapshot.</summary>
    Rewind,

    /// <summary>Fail the run with the spike's description.</summary>
    Abort,
}

/// <summary>
/// The response ladder's settings: a step spikes when its loss or its pre-clip global norm x lies more than
/// <see cref="Sigma"/> standard deviations from the mean of the last <see cref="Window"/> accepted steps
/// (x − mean &gt; σ·sd one-sided, |x − mean| &gt; σ·sd two-sided), once <see cref="EffectiveMinHistory"/> are held
/// (OLMo-core's and Levanter's rule and defaults). A non-finite loss or norm always spikes.
/// </summary>
public sealed record SpikeOptions
{
    /// <summary>none (default), skip, rewind or abort.</summary>
    public SpikeAction OnSpike { get; init; } = SpikeAction.None;

    /// <summary>Accepted steps in the rolling mean and sd, 2..100000. Default 128.</summary>
    public int Window { get; init; } = 128;

    /// <summary>Standard deviations from the mean that make a spike (&gt; 0). Default 6.</summary>
    public double Sigma { get; init; } = 6;

    /// <summary>Accepted steps before the rule judges, 2..Window; null (default) = max(20, Window / 2), as OLMo-core.</summary>
    public int? MinHistory { get; init; }

    /// <summary>Also a fall below mean − σ·sd is a spike (OLMo-core); default false: only rises (Levanter).</summary>
    public bool TwoSided { get; init; }

    /// <summary>Rewind once this many spikes fall within <see cref="RewindWindow"/> steps, 1..1000. Default 2.</summary>
    public int RewindAfter { get; init; } = 2;

    /// <summary>Steps over which <see cref="RewindAfter"/> spikes are counted, 1..1000000. Default 50.</summary>
    public int RewindWindow { get; init; } = 50;

    /// <summary>
    /// How far back a rewind goes, 1..1000000 steps (PaLM: ~100): snapshots of θ and optimizer state are taken every
    /// that many steps and two are kept, so a rewind lands between RewindSteps and 2·RewindSteps before the spike
    /// (at step 0 early on). Default 100.
    /// </summary>
    public int RewindSteps { get; init; } = 100;

    /// <summary>Batches skipped after the spike's own, besides those re-run from the snapshot, 0..1000000. Default 100.</summary>
    public int RewindSkipBatches { get; init; } = 100;

    /// <summary>
    /// Fault verdicts for workers on one silo after which the run's workers are moved off it (cluster only), 0..1000;
    /// 0 = never move. Default 3.
    /// </summary>
    public int FaultLimit { get; init; } = 3;

    /// <summary>The history the rule needs before it judges.</summary>
    public int EffectiveMinHistory => MinHistory ?? Math.Max(20, Window / 2);

    /// <summary>Throws <see cref="ThresherInputException"/> naming the bad value and the accepted range.</summary>
    public void Validate()
    {
        Require(Window is >= 2 and <= 100_000, $"spike-window {Window}: must be in 2..100000");
        Require(Sigma > 0 && double.IsFinite(Sigma), $"spike-sigma {Sigma.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0");
        Require(MinHistory is null || (MinHistory >= 2 && MinHistory <= Window), $"spike-min-history {MinHistory}: must be in 2..{Window} (the spike window)");
        Require(RewindAfter is >= 1 and <= 1000, $"rewind-after {RewindAfter}: must be in 1..1000");
        Require(RewindWindow is >= 1 and <= 1_000_000, $"rewind-window {RewindWindow}: must be in 1..1000000 steps");
        Require(RewindSteps is >= 1 and <= 1_000_000, $"rewind-steps {RewindSteps}: must be in 1..1000000");
        Require(RewindSkipBatches is >= 0 and <= 1_000_000, $"rewind-skip-batches {RewindSkipBatches}: must be in 0..1000000");
        Require(FaultLimit is >= 0 and <= 1000, $"fault-limit {FaultLimit}: must be in 0..1000 (0 = never move workers off a silo)");
    }

    public static SpikeAction ParseAction(string? text) => text?.ToLowerInvariant() switch
    {
        "none" => SpikeAction.None,
        "skip" => SpikeAction.Skip,
        "rewind" => SpikeAction.Rewind,
        "abort" => SpikeAction.Abort,
        _ => throw new ThresherInputException($"on-spike '{text}': unknown; expected none, skip, rewind or abort"),
    };

    /// <summary>one → false, two → true.</summary>
    public static bool ParseTwoSided(string? text) => text?.ToLowerInvariant() switch
    {
        "one" => false,
        "two" => true,
        _ => throw new ThresherInputException($"spike-sided '{text}': unknown; expected one or two"),
    };

    public static string Name(SpikeAction action) => action.ToString().ToLowerInvariant();

    static void Require(bool ok, string message)
    {
        if (!ok) throw new ThresherInputException(message);
    }
}
