using System.Numerics.Tensors;

namespace Thresher.Core.Ops;

/// <summary>What <see cref="ClipOps.ClipByGlobalNormInPlace"/> did to the buffer.</summary>
/// <param name="GlobalNorm">The norm the scale was computed from: the pre-clip global norm, or <c>useNorm</c> when given.</param>
/// <param name="Scale">The factor applied: 1 when the norm is within the clip norm, c/n when clipped, NaN when the norm is NaN or +∞.</param>
/// <param name="Clipped">True when the values were rewritten (scale ≠ 1, NaN included); false leaves them bit-identical.</param>
public readonly record struct GlobalNormClip(double GlobalNorm, float Scale, bool Clipped);

public static partial class ClipOps
{
    /// <summary>
    /// <c>tf.clip_by_global_norm</c>: every tensor times <c>scale = c / max(n, c)</c>, n the global norm of
    /// all of them (or <paramref name="useNorm"/>). Returns new tensors and n.
    /// </summary>
    /// <remarks>
    /// n ≤ c returns copies bit-identical to the inputs (no multiply happens at all). n NaN or +∞ makes every
    /// entry NaN and returns n, as TF does. The scale is computed in float32 like TF, from n rounded to float;
    /// TF writes it as <c>c · min(1/n, 1/c)</c>, which can differ from <c>c / max(n, c)</c> in the last bit
    /// (and is not always exactly 1 when n ≤ c) — we follow the spec's form. The norm is accumulated in double
    /// (TF: float32). The inputs are not modified.
    /// </remarks>
    /// <param name="tensors">The tensors to clip together (e.g. all gradients of one step).</param>
    /// <param name="clipNorm">c: finite and &gt; 0. TF silently does not clip for c &lt; 0; we reject it on purpose.</param>
    /// <param name="useNorm">Use this as n instead of computing it (must be ≥ 0, or NaN/+∞).</param>
    /// <exception cref="ArgumentOutOfRangeException">c ≤ 0, NaN or +∞; or <paramref name="useNorm"/> &lt; 0. The message names the value.</exception>
    public static (Tensor[] Clipped, double GlobalNorm) ClipByGlobalNorm(IReadOnlyList<Tensor> tensors, float clipNorm, double? useNorm = null)
    {
        CheckTensors(tensors);
        CheckClipNorm(clipNorm);
        if (useNorm is double given && given < 0) ThrowInvalidUseNorm(given);

        double norm = useNorm ?? GlobalNorm(tensors);
        float scale = ScaleFor(norm, clipNorm);
        var clipped = new Tensor[tensors.Count];
        for (int i = 0; i < clipped.Length; i++)
        {
            Tensor copy = tensors[i].Clone();
            ApplyScale(copy.Data, scale);
            clipped[i] = copy;
        }
        return (clipped, norm);
    }

    /// <summary>
    /// <see cref="ClipByGlobalNorm"/> over one flat buffer (all gradients back to back), in place: the hot
    /// path of a training step. Same semantics: n ≤ c leaves <paramref name="flat"/> untouched, NaN/+∞ fills it with NaN.
    /// </summary>
    /// <param name="flat">The values, overwritten with the clipped values.</param>
    /// <param name="clipNorm">c: finite and &gt; 0 (TF silently does not clip for c &lt; 0; we reject it).</param>
    /// <param name="useNorm">Use this as n instead of computing it, e.g. when the norm is already known (≥ 0, or NaN/+∞).</param>
    public static GlobalNormClip ClipByGlobalNormInPlace(Span<float> flat, float clipNorm, double? useNorm = null)
    {
        CheckClipNorm(clipNorm);
        if (useNorm is double given && given < 0) ThrowInvalidUseNorm(given);

        double norm = useNorm ?? GlobalNorm(flat);
        float scale = ScaleFor(norm, clipNorm);
        ApplyScale(flat, scale);
        return new GlobalNormClip(norm, scale, Clipped: scale != 1f);
    }

    /// <summary>
    /// The factor <c>c / max(n, c)</c> that <see cref="ClipByGlobalNorm"/> applies: exactly 1 when n ≤ c,
    /// NaN when n is NaN or +∞, else c / (float)n in float32 (in (0, 1]). Lets a trainer fold the clip into
    /// the SGD update (θ −= lr·scale·g) instead of making a separate pass over the gradient.
    /// </summary>
    /// <param name="norm">n, the global norm: ≥ 0, or NaN/+∞.</param>
    /// <param name="clipNorm">c: finite and &gt; 0 (TF silently does not clip for c &lt; 0; we reject it).</param>
    public static float ClipScale(double norm, float clipNorm)
    {
        CheckClipNorm(clipNorm);
        if (norm < 0) ThrowInvalidNorm(norm, nameof(norm));
        return ScaleFor(norm, clipNorm);
    }

    // n ≥ 0 or NaN/+∞, c finite > 0 (checked by the caller).
    private static float ScaleFor(double norm, float clipNorm)
    {
        if (!double.IsFinite(norm)) return float.NaN;   // TF: scale + (n − n) turns the scale NaN
        if (norm <= clipNorm) return 1f;                 // max(n, c) = c, and c / c is exactly 1
        float normAsFloat = (float)norm;                 // TF computes the scale in the tensor dtype
        return float.IsFinite(normAsFloat)
            ? clipNorm / normAsFloat
            : (float)(clipNorm / norm);                  // n beyond float range: TF would have overflowed to +∞ (NaN)
    }

    private static void ApplyScale(Span<float> values, float scale)
    {
        if (scale == 1f) return;                         // n ≤ c: leave the values bit-identical on purpose
        if (float.IsNaN(scale)) values.Fill(float.NaN);  // every entry times NaN
        else TensorPrimitives.Multiply(values, scale, values);
    }
}
