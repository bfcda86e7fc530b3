namespace Thresher.Core.Training;

/// <summary>
/// What one training step measured. Norms are L2, accumulated in double.
/// </summary>
/// <param name="Step">0-based step index.</param>
/// <param name="Loss">Mean loss over the global batch, before the update.</param>
/// <param name="GlobalNorm">Pre-clip global norm of the mean gradient (NaN/∞ when non-finite).</param>
/// <param name="ClippedNorm">Global norm after clip_by_global_norm: min(n, c) (n when not clipping).</param>
/// <param name="ClipScale">c / max(n, c) as TensorFlow computes it in float; 1 when not clipping.</param>
/// <param name="Clipped">True when the scale was below 1 (n &gt; c).</param>
/// <param name="Skipped">True when the step was not applied (non-finite gradient, policy skip).</param>
/// <param name="TensorNorms">Pre-clip L2 norm per tensor, layout order (w1, b1, …).</param>
public sealed record StepStatistics(
    long Step,
    double Loss,
    double GlobalNorm,
    double ClippedNorm,
    float ClipScale,
    bool Clipped,
    bool Skipped,
    double[] TensorNorms)
{
    /// <summary>The threshold the clip policy used this step (+∞: none); see <see cref="Optim.Clipping.ClipPolicy"/>.</summary>
    public double ClipThreshold { get; init; } = double.PositiveInfinity;
    /// <summary>The data batch the step trained on: the step, unless a rewind or the run's omitted batches moved the cursor.</summary>
    public long BatchId { get; init; } = Step;

    /// <summary>Why the response ladder judged the step a spike; null when it did not.</summary>
    public string? Spike { get; init; }

    /// <summary>What the ladder did: None (applied, or handled by the non-finite policy), Skip, Rewind.</summary>
    public SpikeAction Action { get; init; }

    /// <summary>After a rewind: the step θ went back to; the run goes on from there (this step is not kept).</summary>
    public long? RewindTo { get; init; }

    /// <summary>The worker whose part drove the spike (replayed on another worker), else null.</summary>
    public int? Culprit { get; init; }

    /// <summary>The replay's verdict on the culprit's part: data (the batch), fault (the worker), or None.</summary>
    public Verdict Verdict { get; init; }

    /// <summary>An event the run passed through just before this step (a rewind's description), else null.</summary>
    public string? Event { get; init; }
}
