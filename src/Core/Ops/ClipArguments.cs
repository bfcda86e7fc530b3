using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Thresher.Core.Ops;

// Argument checks shared by the clip ops: run once at each public entry, never inside a loop.
public static partial class ClipOps
{
    /// <summary>A clip norm must be finite and &gt; 0 (TensorFlow silently accepts c &lt; 0; we reject it).</summary>
    private static void CheckClipNorm(float clipNorm, [CallerArgumentExpression(nameof(clipNorm))] string paramName = "")
    {
        if (!(clipNorm > 0f) || float.IsPositiveInfinity(clipNorm)) ThrowInvalidClipNorm(clipNorm, paramName);
    }

    private static void CheckTensors(IReadOnlyList<Tensor> tensors, [CallerArgumentExpression(nameof(tensors))] string paramName = "")
    {
        ArgumentNullException.ThrowIfNull(tensors, paramName);
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i] is null) ThrowNullTensor(i, paramName);
        }
    }

    [DoesNotReturn]
    private static void ThrowInvalidClipNorm(float clipNorm, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, clipNorm,
            $"{paramName} must be finite and > 0, got {clipNorm}. " +
            "(TensorFlow accepts a negative clip norm silently: clip_by_global_norm then never clips and clip_by_norm flips signs. " +
            "Thresher rejects it so a typo cannot disable clipping.)");

    [DoesNotReturn]
    private static void ThrowNullTensor(int index, string paramName) =>
        throw new ArgumentException($"{paramName}[{index}] is null.", paramName);

    [DoesNotReturn]
    private static void ThrowInvalidUseNorm(double useNorm) =>
        throw new ArgumentOutOfRangeException(nameof(useNorm), useNorm,
            $"useNorm must be ≥ 0 (or NaN/+∞, which make every output NaN as in TensorFlow), got {useNorm}.");

    [DoesNotReturn]
    private static void ThrowInvalidNorm(double norm, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, norm,
            $"{paramName} must be ≥ 0 (or NaN/+∞, which give a NaN scale as in TensorFlow), got {norm}.");
}
