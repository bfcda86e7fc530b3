using System.Runtime.CompilerServices;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Thresher.Core.Ops;

public static partial class ClipOps
{
    /// <summary>
    /// Σ x² of one block (at most <see cref="NormBlockLength"/> values; longer spans work but are not the norm's
    /// definition), accumulated in double: the kernel <see cref="SumOfSquares"/> runs on each block of a span.
    /// </summary>
    /// <remarks>
    /// Why not <c>TensorPrimitives.SumOfSquares</c>: it accumulates in float, whose rounding error grows
    /// with the length (~1e-6 relative and worse on the 535,818 gradient values of the default MLP).
    /// Here each float vector is widened to two double vectors and squared there: a float² is exact in
    /// double (24 + 24 bits ≤ 53), so only the additions round, giving ≤ ~n·2⁻⁵³ ≈ 1e-10 relative.
    /// Four independent accumulators hide the add latency; each square is added with one fused multiply-add (<see cref="AddSquare"/>).
    /// The summation order depends on <see cref="Vector{T}.Count"/>, so results may differ across
    /// machines in the last bits of a double (far below float resolution).
    /// NaN anywhere gives NaN; ±∞ gives +∞ (or NaN with a NaN present).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static double SumOfSquaresOfBlock(ReadOnlySpan<float> x)
    {
        int i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(x);
            Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
            Vector<double> acc2 = Vector<double>.Zero, acc3 = Vector<double>.Zero;
            int v = 0;
            for (; v + 1 < vectors.Length; v += 2)
            {
                Vector.Widen(vectors[v], out Vector<double> lo0, out Vector<double> hi0);
                Vector.Widen(vectors[v + 1], out Vector<double> lo1, out Vector<double> hi1);
                acc0 = AddSquare(acc0, lo0);
                acc1 = AddSquare(acc1, hi0);
                acc2 = AddSquare(acc2, lo1);
                acc3 = AddSquare(acc3, hi1);
            }
            if (v < vectors.Length)
            {
                Vector.Widen(vectors[v], out Vector<double> lo0, out Vector<double> hi0);
                acc0 = AddSquare(acc0, lo0);
                acc1 = AddSquare(acc1, hi0);
            }
            sum = Vector.Sum((acc0 + acc1) + (acc2 + acc3));
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++)
        {
            double xi = x[i];
            sum += xi * xi;
        }
        return sum;
    }

    /// <summary>
    /// acc + x², elementwise. x is a float widened to double, so x² is exact in double (24 + 24 bits ≤ 53) and a fused
    /// multiply-add rounds exactly as the separate multiply and add do: the same bits in one instruction instead of two
    /// (the norm loop is bound by its conversions and arithmetic, not by memory, on Ice Lake-SP).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<double> AddSquare(Vector<double> acc, Vector<double> x) =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported ? Vector.FusedMultiplyAdd(x, x, acc) : acc + x * x;

    /// <summary>‖x‖₂ = √(Σ x²) of one flat buffer, accumulated in double (see <see cref="SumOfSquares"/>).</summary>
    public static double GlobalNorm(ReadOnlySpan<float> flat) => Math.Sqrt(SumOfSquares(flat));

    /// <summary>
    /// <c>tf.linalg.global_norm</c>: √(Σᵢ ‖tᵢ‖²) over all tensors, accumulated in double
    /// (TF accumulates in the tensor dtype, so it reaches +∞ for norms above ~1.8e19 where we do not).
    /// An empty list has norm 0.
    /// </summary>
    public static double GlobalNorm(IReadOnlyList<Tensor> tensors)
    {
        CheckTensors(tensors);
        double sum = 0;
        for (int i = 0; i < tensors.Count; i++) sum += SumOfSquares(tensors[i].Data);
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Global norm of a flat buffer made of contiguous slices (the model's w1, b1, w2, ...), also writing
    /// each slice's own L2 norm: <c>sliceNorms[k] = ‖flat[slice k]‖₂</c>; returns √(Σ_k sliceNorms[k]²)
    /// computed from the double sums (no re-rounding through the slice norms).
    /// </summary>
    /// <param name="flat">All values, slices back to back. (Σ sliceLengths)</param>
    /// <param name="sliceLengths">Length of each slice, in order; must sum to <c>flat.Length</c>. (K)</param>
    /// <param name="sliceNorms">Output, one L2 norm per slice. (K)</param>
    public static double GlobalNorm(ReadOnlySpan<float> flat, ReadOnlySpan<int> sliceLengths, Span<double> sliceNorms)
    {
        if (sliceNorms.Length != sliceLengths.Length) ThrowSliceCountMismatch(sliceLengths.Length, sliceNorms.Length);
        long covered = 0;
        foreach (int length in sliceLengths)
        {
            if (length < 0) ThrowNegativeSliceLength(length);
            covered += length;
        }
        if (covered != flat.Length) ThrowSlicesDoNotCover(covered, flat.Length);

        double total = 0;
        int offset = 0;
        for (int k = 0; k < sliceLengths.Length; k++)
        {
            double sumOfSquares = SumOfSquares(flat.Slice(offset, sliceLengths[k]));
            sliceNorms[k] = Math.Sqrt(sumOfSquares);
            total += sumOfSquares;
            offset += sliceLengths[k];
        }
        return Math.Sqrt(total);
    }

    [DoesNotReturn]
    private static void ThrowSliceCountMismatch(int slices, int norms) =>
        throw new ArgumentException($"sliceNorms has {norms} entries but there are {slices} slices; pass one output per slice.", "sliceNorms");

    [DoesNotReturn]
    private static void ThrowNegativeSliceLength(int length) =>
        throw new ArgumentOutOfRangeException("sliceLengths", length, $"Slice lengths must be ≥ 0, got {length}.");

    [DoesNotReturn]
    private static void ThrowSlicesDoNotCover(long covered, int flatLength) =>
        throw new ArgumentException($"Slice lengths sum to {covered} but the flat buffer holds {flatLength} values; they must be equal.", "sliceLengths");
}
