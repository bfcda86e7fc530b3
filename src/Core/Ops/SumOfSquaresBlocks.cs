namespace Thresher.Core.Ops;

public static partial class ClipOps
{
    /// <summary>
    /// Values per block of the norm's summation: Σ x² of a span is the sum, in block order, of its blocks' sums
    /// (blocks of this length from the span's start, the last one shorter). 16,384 floats = 64 KiB: the default
    /// MLP's 535,818 gradient values make 37 blocks (w1 25, w2 8, one per other tensor), so 2–4 threads split the
    /// norm pass within one block of even; each block's own reduction (one horizontal add) costs nothing next to
    /// its 64 KiB of reads. A multiple of every vector width, so a block's vector loop has no tail but the span's.
    /// </summary>
    public const int NormBlockLength = 16_384;

    /// <summary>Blocks of <see cref="NormBlockLength"/> values in a span of <paramref name="length"/> values (0 for none).</summary>
    public static int NormBlockCount(int length) => (int)(((long)length + NormBlockLength - 1) / NormBlockLength);

    /// <summary>
    /// Σ x², accumulated in double: each block of <see cref="NormBlockLength"/> values summed by the SIMD kernel
    /// (<see cref="SumOfSquaresOfBlock"/>), the block sums added in block order in double. The order is fixed by the
    /// data's length alone, so any split of the blocks over threads that adds them back in order gives these bits;
    /// a span of at most one block gives the kernel's bits. Error ≤ ~n·2⁻⁵³ relative (squares are exact in double).
    /// NaN anywhere gives NaN; ±∞ gives +∞ (or NaN with a NaN present), whichever block holds it.
    /// </summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        if (x.Length <= NormBlockLength) return SumOfSquaresOfBlock(x);
        double total = 0;
        for (int start = 0; start < x.Length; start += NormBlockLength)
            total += SumOfSquaresOfBlock(x.Slice(start, Math.Min(NormBlockLength, x.Length - start)));
        return total;
    }

    /// <summary>
    /// Writes sum = a + b (float, element by element) and returns Σ sum² — bit-identical to
    /// <c>Add(a, b, sum); SumOfSquares(sum)</c> (same blocks, same kernel order per block, block sums added in
    /// order), in one pass instead of two. (a, b, sum: same length n)
    /// </summary>
    /// <remarks>The parameter server's aggregation of two workers' gradients fused with its norm pass.</remarks>
    public static double SumOfSquaresOfSum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> sum)
    {
        if (b.Length != a.Length || sum.Length != a.Length)
            throw new ArgumentException($"a, b and sum must have one length; got {a.Length}, {b.Length}, {sum.Length}", nameof(sum));
        if (a.Length <= NormBlockLength) return SumOfSquaresOfSumOfBlock(a, b, sum);
        double total = 0;
        for (int start = 0; start < a.Length; start += NormBlockLength)
        {
            int length = Math.Min(NormBlockLength, a.Length - start);
            total += SumOfSquaresOfSumOfBlock(a.Slice(start, length), b.Slice(start, length), sum.Slice(start, length));
        }
        return total;
    }
}
