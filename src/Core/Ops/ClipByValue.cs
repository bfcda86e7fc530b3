using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;

namespace Thresher.Core.Ops;

/// <summary>
/// Tensor clipping with TensorFlow semantics (<c>tf.clip_by_value</c>, <c>tf.nn.relu</c>,
/// <c>tf.clip_by_norm</c>, <c>tf.linalg.global_norm</c>, <c>tf.clip_by_global_norm</c>) and the
/// PyTorch-style <see cref="ClipGradNorm(IReadOnlyList{Tensor}, float, double, bool)"/> beside them.
/// Deliberate departures from TensorFlow: invalid bounds and clip norms throw instead of silently
/// misbehaving, and norms are accumulated in double (see <see cref="SumOfSquares"/>).
/// </summary>
public static partial class ClipOps
{
    /// <summary>
    /// <c>max(min(t, hi), lo)</c> element-wise, into a new tensor of the same shape. NaN entries pass through.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="lo"/> &gt; <paramref name="hi"/> or a bound is NaN
    /// (TensorFlow silently returns <paramref name="lo"/> everywhere; we reject it).</exception>
    public static Tensor ClipByValue(Tensor t, float lo, float hi)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!(lo <= hi)) ThrowInvalidBounds(lo, hi);

        var clipped = new float[t.Length];
        // TensorPrimitives.Min/Max propagate NaN, so NaN entries stay NaN (as in TF).
        TensorPrimitives.Min(t.Data, hi, clipped);
        TensorPrimitives.Max(clipped, lo, clipped);
        return new Tensor(clipped, t.Shape);
    }

    /// <summary><c>max(t, 0)</c> element-wise, into a new tensor of the same shape. NaN entries pass through (as in TF).</summary>
    public static Tensor Relu(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var activated = new float[t.Length];
        TensorPrimitives.Max(t.Data, 0f, activated);
        return new Tensor(activated, t.Shape);
    }

    [DoesNotReturn]
    private static void ThrowInvalidBounds(float lo, float hi) =>
        throw new ArgumentException(
            $"ClipByValue needs lo ≤ hi and neither NaN, got lo = {lo}, hi = {hi}. " +
            "(TensorFlow silently returns lo everywhere when lo > hi; swap the bounds.)", nameof(lo));
}
