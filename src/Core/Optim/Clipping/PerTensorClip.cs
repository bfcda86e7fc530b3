using Thresher.Core.Ops;
using Thresher.Core.Training;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// Keras clipnorm: tf.clip_by_norm(g_k, c) on each tensor k, i.e. g_k · c / max(‖g_k‖, c). The scale of each
/// tensor, c / max(n_k, c) in float (<see cref="ClipOps.ClipScale"/>), is folded into the update, so an element
/// may differ from TF's (g·c)/max(n, c) in the last bit; a tensor with n_k ≤ c is used exactly as it is.
/// Reported: threshold c, post-clip norm √(Σ_k min(n_k, c)²), scale post/pre. Stateless.
/// </summary>
public sealed class PerTensorClip : ClipPolicy
{
    public PerTensorClip(float clipNorm)
    {
        if (!(clipNorm > 0 && float.IsFinite(clipNorm)))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "clip norm must be a finite number > 0");
        ClipNorm = clipNorm;
    }

    public float ClipNorm { get; }

    public override ClipPolicyKind Kind => ClipPolicyKind.PerTensor;

    public override ClipDecision Decide(double[] tensorNorms, double globalNorm)
    {
        ArgumentNullException.ThrowIfNull(tensorNorms);
        if (!double.IsFinite(globalNorm)) return new(tensorNorms, globalNorm, float.NaN, globalNorm) { Threshold = ClipNorm };
        var scales = new float[tensorNorms.Length];
        double sumOfSquares = 0;
        for (int k = 0; k < scales.Length; k++)
        {
            scales[k] = ClipOps.ClipScale(tensorNorms[k], ClipNorm);
            double clipped = Math.Min(tensorNorms[k], ClipNorm);
            sumOfSquares += clipped * clipped;
        }
        double post = Math.Sqrt(sumOfSquares);
        float scale = globalNorm > 0 ? (float)(post / globalNorm) : 1f;
        return new(tensorNorms, globalNorm, scale, post) { Threshold = ClipNorm, TensorScales = scales };
    }
}
