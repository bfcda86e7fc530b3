using Thresher.Core.Ops;
using Thresher.Core.Training;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// tf.clip_by_global_norm at c: scale = c / max(n, c) in float as TensorFlow computes it (<see cref="ClipOps.ClipScale"/>),
/// post-clip norm min(n, c). Null c (policy none, or global with --clip none) never clips; its threshold is +∞.
/// Stateless.
/// </summary>
public sealed class GlobalClip(float? clipNorm) : ClipPolicy
{
    public float? ClipNorm { get; } = clipNorm is float c && !(c > 0 && float.IsFinite(c))
        ? throw new ArgumentOutOfRangeException(nameof(clipNorm), c, "clip norm must be a finite number > 0")
        : clipNorm;

    public override ClipPolicyKind Kind => ClipNorm is null ? ClipPolicyKind.None : ClipPolicyKind.Global;

    public override ClipDecision Decide(double[] tensorNorms, double globalNorm)
    {
        if (ClipNorm is not float c) return new ClipDecision(tensorNorms, globalNorm, 1f, globalNorm);
        double clipped = double.IsFinite(globalNorm) ? Math.Min(globalNorm, c) : globalNorm;
        return new ClipDecision(tensorNorms, globalNorm, ClipOps.ClipScale(globalNorm, c), clipped) { Threshold = c };
    }
}
