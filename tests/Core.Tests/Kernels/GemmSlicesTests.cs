using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// The product parts a streamed step computes (--overlap) give the whole product's bits: the forward product over the
/// k blocks called one by one, and the weight gradient over any split of its rows — for every variant, both vector
/// widths and 1–2 threads, on shapes across the block, tile and panel edges.
/// </summary>
public sealed class GemmSlicesTests
{
    static readonly bool[] Widths = [true, false];
    static readonly int[] ThreadCounts = [1, 2];

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 64, 784, 512 }, { 13, 784, 10 }, { 7, 513, 33 }, { 31, 257, 64 }, { 5, 600, 17 }, { 9, 256, 40 }, { 3, 1, 5 }, { 0, 300, 8 },
    };

    [Fact]
    public void KBlocks_are_the_driver_s_near_equal_blocks_of_at_most_256()
    {
        Assert.Equal([0, 196, 392, 588, 784], Gemm.KBlocks(784));
        Assert.Equal([0, 256], Gemm.KBlocks(256));
        Assert.Equal([0, 129, 257], Gemm.KBlocks(257));
        Assert.Equal([0, 1], Gemm.KBlocks(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.KBlocks(0));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_block_by_block_equals_the_whole_product_bit_for_bit(int m, int k, int n)
    {
        float[] x = KernelTestData.Uniform(m * k, m + k + n), w = KernelTestData.Uniform(k * n, k * 7 + n);
        var blocks = Gemm.KBlocks(k);
        foreach (bool use512 in Widths)
            foreach (var variant in GemmVariant.Candidates(false, use512).Cast<GemmVariant?>().Append(null))
                foreach (int threads in ThreadCounts)
                {
                    var whole = new float[m * n];
                    var parts = Enumerable.Repeat(float.NaN, m * n).ToArray(); // the first block overwrites
                    Gemm.Forward(whole, x, w, m, k, n, accumulate: false, threads, use512, variant);
                    for (int b = 0; b + 1 < blocks.Length; b++)
                        Gemm.ForwardKBlock(parts, x, w, m, k, n, blocks[b], blocks[b + 1], threads, use512, variant);
                    KernelTestData.Identical(whole, parts, $"forward m={m} k={k} n={n} v512={use512} {variant?.ToString() ?? "tuned"} threads={threads}");
                }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Weight_gradient_row_by_row_block_equals_the_whole_product_bit_for_bit(int m, int k, int n)
    {
        float[] x = KernelTestData.Uniform(m * k, m * 3 + k), dY = KernelTestData.Uniform(m * n, n * 5 + m);
        int[][] splits = [Gemm.KBlocks(k), [0, Math.Min(1, k), Math.Min(9, k), k]];
        foreach (bool use512 in Widths)
            foreach (var variant in GemmVariant.Candidates(false, use512).Cast<GemmVariant?>().Append(null))
                foreach (int threads in ThreadCounts)
                    foreach (var split in splits)
                    {
                        var whole = new float[k * n];
                        var parts = Enumerable.Repeat(float.NaN, k * n).ToArray();
                        Gemm.WeightGradient(whole, x, dY, m, k, n, accumulate: false, threads, use512, variant);
                        for (int r = 0; r + 1 < split.Length; r++)
                            Gemm.WeightGradientRows(parts, x, dY, m, k, n, split[r], split[r + 1], threads, use512, variant);
                        KernelTestData.Identical(whole, parts, $"dW m={m} k={k} n={n} v512={use512} {variant?.ToString() ?? "tuned"} threads={threads} split={string.Join(',', split)}");
                    }
    }

    [Fact]
    public void A_range_that_is_not_one_of_the_blocks_is_refused()
    {
        float[] x = new float[2 * 784], w = new float[784 * 8], y = new float[2 * 8];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.ForwardKBlock(y, x, w, 2, 784, 8, 0, 200));
        Assert.Contains("not one of k = 784's blocks (0, 196, 392, 588, 784)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.WeightGradientRows(new float[784 * 8], x, y, 2, 784, 8, 10, 5));
    }
}
