using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;

namespace Thresher.Core.Ops;

public static partial class ClipOps
{
    /// <summary>
    /// PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>, in place — NOT TensorFlow's
    /// <see cref="ClipByGlobalNorm"/>: total = (Σ|g|^p)^(1/p) over all entries of all tensors (p = ∞: max |g|),
    /// coef = min(1, maxNorm / (total + 1e-6)), every entry times coef. Returns total.
    /// </summary>
    /// <remarks>
    /// Differences from TF: the 1e-6 in the denominator makes a norm just above maxNorm shrink slightly less
    /// than c/n, any p is allowed, and a non-finite total does not produce NaN everywhere but scales by
    /// coef (+∞ → coef 0: finite entries become 0, infinite ones NaN; NaN → NaN) — unless
    /// <paramref name="errorIfNonfinite"/> asks to throw instead. coef = 1 leaves the values bit-identical.
    /// Sums are accumulated in double (PyTorch: the tensor dtype); coef is rounded to float once.
    /// </remarks>
    /// <param name="grads">The gradients, modified in place.</param>
    /// <param name="maxNorm">Finite and &gt; 0 (PyTorch accepts anything; we reject nonsense).</param>
    /// <param name="normType">p: 2 (default), <see cref="double.PositiveInfinity"/>, or any finite p ≥ 1.</param>
    /// <param name="errorIfNonfinite">Throw <see cref="ArithmeticException"/> (before touching the values) when total is NaN or ±∞.</param>
    /// <exception cref="ArgumentOutOfRangeException">maxNorm ≤ 0, NaN or +∞; p &lt; 1 or NaN. The message names the value.</exception>
    public static double ClipGradNorm(IReadOnlyList<Tensor> grads, float maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        CheckTensors(grads);
        CheckClipNorm(maxNorm);
        CheckNormType(normType);

        double accumulated = 0; // Σ|g|^p, or max|g| for p = ∞
        for (int i = 0; i < grads.Count; i++)
        {
            double part = PowerSum(grads[i].Data, normType);
            // Math.Max returns NaN when either side is NaN, so a NaN anywhere survives the max.
            accumulated = double.IsPositiveInfinity(normType) ? Math.Max(accumulated, part) : accumulated + part;
        }
        double total = TotalNorm(accumulated, normType);
        float coef = ClipCoefficient(total, maxNorm, normType, errorIfNonfinite);
        if (coef != 1f)
        {
            for (int i = 0; i < grads.Count; i++) TensorPrimitives.Multiply(grads[i].Data, coef, grads[i].Data);
        }
        return total;
    }

    /// <summary>
    /// <see cref="ClipGradNorm(IReadOnlyList{Tensor}, float, double, bool)"/> over one flat buffer of all
    /// gradients, in place. Same semantics; returns the total norm.
    /// </summary>
    public static double ClipGradNorm(Span<float> flat, float maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        CheckClipNorm(maxNorm);
        CheckNormType(normType);

        double total = TotalNorm(PowerSum(flat, normType), normType);
        float coef = ClipCoefficient(total, maxNorm, normType, errorIfNonfinite);
        if (coef != 1f) TensorPrimitives.Multiply(flat, coef, flat);
        return total;
    }

    private static float ClipCoefficient(double total, float maxNorm, double normType, bool errorIfNonfinite)
    {
        if (errorIfNonfinite && !double.IsFinite(total)) ThrowNonfiniteTotal(total, normType);
        return (float)Math.Min(1.0, maxNorm / (total + 1e-6)); // Math.Min keeps NaN, like torch.clamp
    }

    private static double TotalNorm(double accumulated, double normType) => normType switch
    {
        double.PositiveInfinity => accumulated,
        1 => accumulated,
        2 => Math.Sqrt(accumulated),
        _ => Math.Pow(accumulated, 1 / normType),
    };

    // Σ|x|^p in double for finite p; max|x| (NaN if any NaN) for p = ∞.
    private static double PowerSum(ReadOnlySpan<float> x, double normType)
    {
        if (normType == 2) return SumOfSquares(x);
        if (double.IsPositiveInfinity(normType))
        {
            return x.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x)); // MaxMagnitude propagates NaN
        }
        double sum = 0;
        if (normType == 1)
        {
            foreach (float v in x) sum += Math.Abs(v);
        }
        else
        {
            foreach (float v in x) sum += Math.Pow(Math.Abs(v), normType);
        }
        return sum;
    }

    private static void CheckNormType(double normType)
    {
        if (!(normType >= 1)) ThrowInvalidNormType(normType); // also rejects NaN; +∞ passes
    }

    [DoesNotReturn]
    private static void ThrowInvalidNormType(double normType) =>
        throw new ArgumentOutOfRangeException(nameof(normType), normType,
            $"normType must be ≥ 1 or double.PositiveInfinity, got {normType}.");

    [DoesNotReturn]
    private static void ThrowNonfiniteTotal(double total, double normType) =>
        throw new ArithmeticException(
            $"The total {normType}-norm of the gradients is {total}, which is not finite, so it cannot be clipped. " +
            "Look for the source of the NaN/∞ (a too large learning rate or input scale), or pass errorIfNonfinite: false to scale by it anyway.");
}
