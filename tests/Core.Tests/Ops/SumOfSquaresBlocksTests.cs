using System.Numerics;
using System.Numerics.Tensors;
using Thresher.Core.Ops;

namespace Thresher.Core.Tests.Ops;

/// <summary>
/// Σ x² over blocks of <see cref="ClipOps.NormBlockLength"/> values: each block the SIMD kernel's, block sums added in
/// order. The naive twin here is the double sum of x² element by element (within n·2⁻⁵³), and the definition itself
/// is checked bit for bit by re-adding the kernel's block sums. The kernel runs on <see cref="Vector{T}"/>, this
/// host's width; the block length is a multiple of every width, so block boundaries are vector boundaries.
/// </summary>
public sealed class SumOfSquaresBlocksTests
{
    const int B = ClipOps.NormBlockLength;

    /// <summary>Lengths on both sides of one, two and three blocks, the default MLP's tensors, and short ones.</summary>
    public static TheoryData<int> Lengths => [0, 1, 17, B - 1, B, B + 1, B + 15, 2 * B - 1, 2 * B, 2 * B + 1, 3 * B + 7, 131_072, 401_408];

    static float[] Random(int seed, int length)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)((rng.NextDouble() * 2 - 1) * Math.Exp(rng.NextDouble() * 8 - 4)))];
    }

    /// <summary>The definition: 0 + each block's kernel sum, in block order.</summary>
    static double Blockwise(float[] x)
    {
        double total = 0;
        for (int start = 0; start < x.Length; start += B)
            total += ClipOps.SumOfSquaresOfBlock(x.AsSpan(start, Math.Min(B, x.Length - start)));
        return total;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Matches_the_naive_double_sum_and_the_block_definition_bit_for_bit(int length)
    {
        var x = Random(length, length);
        double naive = 0;
        foreach (float v in x) naive += (double)v * v;

        double actual = ClipOps.SumOfSquares(x);

        ReferenceMath.AssertClose(naive, actual, 1e-13, $"length {length}");
        Assert.Equal(Blockwise(x), actual);
        Assert.Equal(ClipOps.NormBlockCount(length), (length + B - 1) / B);
    }

    /// <summary>
    /// The block kernel adds each square with a fused multiply-add; x² of a widened float is exact in double, so that
    /// must give the bits of a separate multiply and add in the same order (the twin below: same vectors, same four
    /// accumulators, same tail), also for floats near the ends of their range.
    /// </summary>
    [Theory]
    [InlineData(5, 1)]
    [InlineData(6, 37)]
    [InlineData(7, B - 3)]
    [InlineData(8, B)]
    public void Fused_squares_give_the_bits_of_separate_multiply_and_add(int seed, int length)
    {
        var x = Random(seed, length);
        float[] extremes = [float.Epsilon, -float.Epsilon, 1e-30f, float.MaxValue / 2, -3.4e38f, 1.17549435e-38f];
        for (int i = 0; i < Math.Min(extremes.Length, length); i++) x[(i * 7919) % length] = extremes[i];
        Assert.Equal(SeparateMultiplyAndAdd(x), ClipOps.SumOfSquaresOfBlock(x));
    }

    static double SeparateMultiplyAndAdd(float[] x)
    {
        int count = Vector<float>.Count, vectors = x.Length / count, i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && vectors > 0)
        {
            var acc = new Vector<double>[4];
            int v = 0;
            for (; v < vectors; v++)
            {
                Vector.Widen(new Vector<float>(x, v * count), out Vector<double> lo, out Vector<double> hi);
                int pair = v % 2 == 0 ? 0 : 2; // vector v of a pair feeds accumulators 0 and 1, v + 1 feeds 2 and 3
                acc[pair] += lo * lo;
                acc[pair + 1] += hi * hi;
            }
            sum = Vector.Sum((acc[0] + acc[1]) + (acc[2] + acc[3]));
            i = vectors * count;
        }
        for (; i < x.Length; i++) sum += (double)x[i] * x[i];
        return sum;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(B - 1)]
    [InlineData(B)]
    public void At_most_one_block_gives_the_kernel_bits_of_the_whole_span(int length)
    {
        var x = Random(3, length);
        Assert.Equal(ClipOps.SumOfSquaresOfBlock(x), ClipOps.SumOfSquares(x));
    }

    [Fact]
    public void Blocks_change_the_order_of_a_long_span_only_in_the_last_bits()
    {
        // Kernel over the whole span (the order before blocks) vs blocks: ~1e-14 relative apart (bound n·2⁻⁵³ ≈ 4.5e-11),
        // nine orders of magnitude below float resolution.
        var x = Random(5, 401_408);
        ReferenceMath.AssertClose(ClipOps.SumOfSquaresOfBlock(x), ClipOps.SumOfSquares(x), 1e-13);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sum_of_squares_of_sum_equals_adding_then_summing_squares_bit_for_bit(int length)
    {
        var a = Random(2 * length + 1, length);
        var b = Random(2 * length + 2, length);
        var expectedSum = new float[length];
        TensorPrimitives.Add(a, b, expectedSum);
        var sum = new float[length];

        double actual = ClipOps.SumOfSquaresOfSum(a, b, sum);

        Assert.Equal(ClipOps.SumOfSquares(expectedSum), actual);
        Assert.Equal(expectedSum, sum);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(B - 1)]
    [InlineData(B)]
    [InlineData(2 * B + 3)]
    [InlineData(3 * B + 6)]
    public void NaN_or_infinity_in_any_block_propagates(int at)
    {
        var x = Random(9, 3 * B + 7);
        x[at] = float.NaN;
        Assert.True(double.IsNaN(ClipOps.SumOfSquares(x)), $"NaN at {at}");
        Assert.True(double.IsNaN(ClipOps.SumOfSquaresOfSum(x, new float[x.Length], new float[x.Length])), $"NaN at {at}, fused");

        x[at] = float.NegativeInfinity;
        Assert.Equal(double.PositiveInfinity, ClipOps.SumOfSquares(x));
        Assert.Equal(double.PositiveInfinity, ClipOps.SumOfSquaresOfSum(x, new float[x.Length], new float[x.Length]));

        x[(at + B) % x.Length] = float.NaN; // ∞ in one block, NaN in another
        Assert.True(double.IsNaN(ClipOps.SumOfSquares(x)), $"∞ at {at} with NaN in another block");
    }

    [Fact]
    public void Fused_form_rejects_mismatched_lengths()
    {
        var e = Assert.Throws<ArgumentException>(() => ClipOps.SumOfSquaresOfSum(new float[B + 1], new float[B + 1], new float[B]));
        Assert.Contains($"{B + 1}, {B + 1}, {B}", e.Message, StringComparison.Ordinal);
    }
}
