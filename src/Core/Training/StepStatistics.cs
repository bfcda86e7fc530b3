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
/// <param name="LearningRate">The step's learning rate from the schedule (reported for skipped steps too).</param>
public sealed record StepStatistics(
    long Step,
    double Loss,
    double GlobalNorm,
    double ClippedNorm,
    float ClipScale,
    bool Clipped,
    bool Skipped,
    double[] TensorNorms,
    double LearningRate);
