using System.Diagnostics.CodeAnalysis;

namespace Thresher.Core.Ops;

public static partial class ClipOps
{
    /// <summary>
    /// <c>tf.clip_by_norm</c>: s = Σ_axes t² (keepdims), n = s &gt; 0 ? √s : 0, out = t·c / max(n, c), broadcast
    /// back over the reduced axes. An all-zero slice stays zero; a slice with NaN becomes NaN. Returns a new tensor.
    /// </summary>
    /// <remarks>
    /// The arithmetic follows TF's order in float32 (<c>(t·c) / max(n, c)</c>, so n ≤ c gives t·c/c, which is
    /// t up to rounding), except that s is accumulated in double and √s rounded once to float.
    /// </remarks>
    /// <param name="t">The tensor to clip.</param>
    /// <param name="clipNorm">c: finite and &gt; 0. TF silently accepts c &lt; 0 (and flips the signs of clipped slices); we reject it on purpose.</param>
    /// <param name="axes">Dimensions to reduce over, any subset, negative counting from the end (Python style);
    /// null means all dimensions (one norm for the whole tensor); empty means none (each entry is its own slice).</param>
    /// <exception cref="ArgumentOutOfRangeException">c ≤ 0, NaN or +∞, or an axis outside [-rank, rank).</exception>
    /// <exception cref="ArgumentException">An axis appears twice.</exception>
    public static Tensor ClipByNorm(Tensor t, float clipNorm, IReadOnlyList<int>? axes = null)
    {
        ArgumentNullException.ThrowIfNull(t);
        CheckClipNorm(clipNorm);
        bool[] reduced = ReducedDimensions(t.Rank, axes);

        // slice[i] = index of the reduced (keepdims) position that entry i belongs to.
        int[] slice = SliceIndices(t.Shape, reduced, out int sliceCount);
        var sumsOfSquares = new double[sliceCount];
        float[] values = t.Data;
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            sumsOfSquares[slice[i]] += v * v;
        }

        var denominators = new float[sliceCount]; // max(n, c) per slice
        for (int k = 0; k < sliceCount; k++)
        {
            double s = sumsOfSquares[k];
            float norm = (float)(s > 0 ? Math.Sqrt(s) : s); // s is 0 or NaN here; TF keeps it as the norm
            denominators[k] = MathF.Max(norm, clipNorm);     // MathF.Max propagates NaN, like tf.maximum
        }

        var clipped = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            clipped[i] = values[i] * clipNorm / denominators[slice[i]];
        }
        return new Tensor(clipped, t.Shape);
    }

    // reduced[d] = whether dimension d is summed over. Validates the axes.
    private static bool[] ReducedDimensions(int rank, IReadOnlyList<int>? axes)
    {
        var reduced = new bool[rank];
        if (axes is null)
        {
            Array.Fill(reduced, true);
            return reduced;
        }
        for (int a = 0; a < axes.Count; a++)
        {
            int axis = axes[a];
            int dim = axis < 0 ? axis + rank : axis;
            if (dim < 0 || dim >= rank) ThrowAxisOutOfRange(axis, rank);
            if (reduced[dim]) ThrowDuplicateAxis(axis, dim);
            reduced[dim] = true;
        }
        return reduced;
    }

    // For a row-major tensor of `shape`, the flat index of each entry's slot in the keepdims-reduced tensor
    // (reduced dimensions collapsed to 1).
    private static int[] SliceIndices(int[] shape, bool[] reduced, out int sliceCount)
    {
        int rank = shape.Length;
        var strides = new int[rank]; // stride in the reduced tensor; 0 along reduced dimensions
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = reduced[d] ? 0 : stride;
            if (!reduced[d]) stride *= shape[d];
        }
        sliceCount = stride;

        int length = 1;
        foreach (int dim in shape) length *= dim;
        var slice = new int[length];
        var index = new int[rank];
        int position = 0;
        for (int i = 0; i < length; i++)
        {
            slice[i] = position;
            for (int d = rank - 1; d >= 0; d--) // odometer increment, last dimension fastest
            {
                index[d]++;
                position += strides[d];
                if (index[d] < shape[d]) break;
                position -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
        return slice;
    }

    [DoesNotReturn]
    private static void ThrowAxisOutOfRange(int axis, int rank) =>
        throw new ArgumentOutOfRangeException("axes", axis,
            $"Axis {axis} is out of range for a tensor of rank {rank}; valid axes are {-rank}..{rank - 1}.");

    [DoesNotReturn]
    private static void ThrowDuplicateAxis(int axis, int dim) =>
        throw new ArgumentException($"Axis {axis} names dimension {dim}, which is already in axes; list each dimension once.", "axes");
}
