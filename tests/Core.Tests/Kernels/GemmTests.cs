using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>The three GEMM products.</summary>
public enum GemmForm { Forward, WeightGradient, InputGradient }

/// <summary>
/// Gemm's three products against GemmNaive, for both vector widths (Vector512 and Vector256 paths),
/// threads 1 and 2, accumulate true and false. Tolerance: 1e-5·(|c0| + Σ_p |a·b|) + 1e-6 per element.
/// </summary>
public class GemmTests
{
    private static readonly int[] SmallDims = [0, 1, 2, 3, 5, 7, 11, 13, 17, 19];
    private static readonly bool[] FalseTrue = [false, true];
    private static readonly bool[] Widths = [true, false];
    private static readonly int[] ThreadCounts = [1, 2];

    /// <summary>Shapes that cross the tile, panel, k-block and row-block edges and the narrow-n paths.</summary>
    public static TheoryData<int, int, int> EdgeShapes => new()
    {
        { 1, 1, 1 }, { 3, 5, 7 }, { 17, 33, 65 }, { 64, 256, 10 }, { 13, 40, 16 }, { 13, 40, 17 },
        { 9, 257, 33 }, { 200, 300, 70 }, { 50, 20, 100 }, { 7, 600, 8 }, { 25, 9, 9 },
        { 13, 200, 64 }, { 7, 513, 129 }, { 31, 70, 192 }, // 6×64 tiles: whole, ragged and odd 64-column panels, k over a block
        { 10, 70, 130 }, { 64, 300, 96 }, { 8, 257, 64 },    // 6×64 plans ending in the 4- and 2-row tail tiles, in place and through the edge tile
    };

    /// <summary>The tiles a variant asks for are the tiles it gets where they are valid, so the sweeps above really run them.</summary>
    [Fact]
    public void TallAndWideVariants_RunTheirTiles_WhereValid()
    {
        var wide = new GemmVariant(true, true, Wide: true);
        var tall = new GemmVariant(true, false, Tall: true);
        Assert.True(GemmBlocked.Normalize(wide, 33, false, true).Wide);
        Assert.True(GemmBlocked.Normalize(wide, 512, true, true).Wide);
        Assert.True(GemmBlocked.Normalize(tall, 512, false, true).Tall);
        Assert.Equal(GemmVariant.PackBoth, GemmBlocked.Normalize(wide, 512, false, false));     // Vector256: 6×16 tiles
        Assert.False(GemmBlocked.Normalize(wide, 32, false, true).Wide);                       // one 32-column panel
        Assert.False(GemmBlocked.Normalize(new GemmVariant(false, true, Wide: true), 64, false, true).Wide); // A in place: 8-row tiles
    }

    [Theory]
    [InlineData(GemmForm.Forward)]
    [InlineData(GemmForm.WeightGradient)]
    [InlineData(GemmForm.InputGradient)]
    public void SmallShapeSweep_EqualsNaive(GemmForm form)
    {
        foreach (int m in SmallDims)
            foreach (int k in SmallDims)
                foreach (int n in SmallDims)
                    CheckAllVariants(form, m, k, n);
    }

    [Theory]
    [MemberData(nameof(EdgeShapes))]
    public void EdgeShapes_EqualNaive(int m, int k, int n)
    {
        CheckAllVariants(GemmForm.Forward, m, k, n);
        CheckAllVariants(GemmForm.WeightGradient, m, k, n);
        CheckAllVariants(GemmForm.InputGradient, m, k, n);
    }

    /// <summary>
    /// One column panel (n ≤ 32): A is read in place for full 8-row tiles (row kernel for x, k-strided packed
    /// kernel for xᵀ) and packed only for the ragged last tile; k beyond one block, rows split over threads.
    /// </summary>
    public static TheoryData<int, int, int> NarrowShapes => new()
    {
        { 128, 256, 10 }, { 37, 700, 10 }, { 24, 520, 32 }, { 19, 513, 16 }, { 8, 3, 1 }, { 65, 300, 25 }, { 16, 1, 12 },
    };

    [Theory]
    [MemberData(nameof(NarrowShapes))]
    public void NarrowShapes_EqualNaive(int m, int k, int n)
    {
        CheckAllVariants(GemmForm.Forward, m, k, n);
        CheckAllVariants(GemmForm.WeightGradient, m, k, n);
        CheckAllVariants(GemmForm.InputGradient, m, k, n);
    }

    [Theory]
    [InlineData(GemmForm.Forward)]
    [InlineData(GemmForm.WeightGradient)]
    [InlineData(GemmForm.InputGradient)]
    public void LayerOneShape_128x784x512_EqualsNaive(GemmForm form) => CheckAllVariants(form, 128, 784, 512);

    [Fact]
    public void RepeatedCalls_WithDifferentShapes_ReuseBuffersCorrectly()
    {
        CheckAllVariants(GemmForm.Forward, 40, 300, 70);
        CheckAllVariants(GemmForm.Forward, 3, 2, 5);
        CheckAllVariants(GemmForm.Forward, 40, 300, 70);
    }

    /// <summary>One naive reference, then every fast variant (width × threads × accumulate) against it.</summary>
    private static void CheckAllVariants(GemmForm form, int m, int k, int n)
    {
        int seed = (int)form * 1_000_003 + m * 10_007 + k * 101 + n;
        var (aLength, bLength, cLength) = Lengths(form, m, k, n);
        float[] a = KernelTestData.Uniform(aLength, seed);
        float[] b = KernelTestData.Uniform(bLength, seed + 1);
        float[] c0 = KernelTestData.Uniform(cLength, seed + 2);
        var product = new float[cLength];
        var bound = new float[cLength];
        Naive(form, product, a, b, m, k, n);
        Naive(form, bound, KernelTestData.Abs(a), KernelTestData.Abs(b), m, k, n);

        var expected = new float[cLength];
        var scale = new float[cLength];
        var actual = new float[cLength];
        foreach (bool accumulate in FalseTrue)
        {
            for (int i = 0; i < cLength; i++)
            {
                expected[i] = accumulate ? c0[i] + product[i] : product[i];
                scale[i] = (accumulate ? Math.Abs(c0[i]) : 0f) + bound[i];
            }
            foreach (bool use512 in Widths)
                foreach (var variant in GemmVariant.Candidates(form == GemmForm.InputGradient, use512))
                    foreach (int threads in ThreadCounts)
                    {
                        if (accumulate) c0.CopyTo(actual, 0); else Array.Fill(actual, float.NaN);
                        Fast(form, actual, a, b, m, k, n, accumulate, threads, use512, variant);
                        KernelTestData.Close(expected, actual, scale, 1e-5, 1e-6,
                            $"{form} m={m} k={k} n={n} accumulate={accumulate} threads={threads} v512={use512} {variant}");
                    }
        }
    }

    private static (int A, int B, int C) Lengths(GemmForm form, int m, int k, int n) => form switch
    {
        GemmForm.Forward => (m * k, k * n, m * n),        // x[m,k], w[k,n] → y[m,n]
        GemmForm.WeightGradient => (m * k, m * n, k * n), // x[m,k], dY[m,n] → dW[k,n]
        _ => (m * n, k * n, m * k),                   // dY[m,n], w[k,n] → dX[m,k]
    };

    private static void Naive(GemmForm form, float[] c, float[] a, float[] b, int m, int k, int n)
    {
        switch (form)
        {
            case GemmForm.Forward: GemmNaive.Forward(c, a, b, m, k, n); break;
            case GemmForm.WeightGradient: GemmNaive.WeightGradient(c, a, b, m, k, n); break;
            default: GemmNaive.InputGradient(c, a, b, m, k, n); break;
        }
    }

    private static void Fast(GemmForm form, float[] c, float[] a, float[] b, int m, int k, int n, bool accumulate, int threads, bool use512,
                             GemmVariant? variant = null)
    {
        switch (form)
        {
            case GemmForm.Forward: Gemm.Forward(c, a, b, m, k, n, accumulate, threads, use512, variant); break;
            case GemmForm.WeightGradient: Gemm.WeightGradient(c, a, b, m, k, n, accumulate, threads, use512, variant); break;
            default: Gemm.InputGradient(c, a, b, m, k, n, accumulate, threads, use512, variant); break;
        }
    }

    /// <summary>
    /// Every variant, width and thread count adds the same products in the same order: the results are bit-identical,
    /// so the per-machine choice of <see cref="GemmTuner"/> can never change a trajectory.
    /// </summary>
    [Theory]
    [InlineData(GemmForm.Forward, 128, 784, 512)]
    [InlineData(GemmForm.WeightGradient, 128, 784, 512)]
    [InlineData(GemmForm.InputGradient, 128, 512, 256)]
    [InlineData(GemmForm.Forward, 37, 300, 70)]
    [InlineData(GemmForm.WeightGradient, 37, 300, 70)]
    [InlineData(GemmForm.Forward, 128, 256, 10)]
    public void AllVariants_AreBitIdentical(GemmForm form, int m, int k, int n)
    {
        var (aLength, bLength, cLength) = Lengths(form, m, k, n);
        float[] a = KernelTestData.Uniform(aLength, 5), b = KernelTestData.Uniform(bLength, 6);
        float[]? first = null;
        string firstName = "";
        foreach (bool use512 in Widths)
            foreach (var variant in GemmVariant.Candidates(form == GemmForm.InputGradient, use512))
                foreach (int threads in ThreadCounts)
                {
                    var c = new float[cLength];
                    Fast(form, c, a, b, m, k, n, false, threads, use512, variant);
                    string name = $"v512={use512} threads={threads} {variant}";
                    if (first is null) (first, firstName) = (c, name);
                    else Assert.True(first.AsSpan().SequenceEqual(c), $"{form} {m}x{k}x{n}: {name} differs from {firstName}");
                }
    }

    [Fact]
    public void Tuner_TimesAShapeOnItsSecondCall_PicksOneOfTheCandidates_AndEveryCallEqualsNaive()
    {
        const int m = 96, k = 400, n = 80; // 3.1 M multiply-adds: tuned
        float[] x = KernelTestData.Uniform(m * k, 21), w = KernelTestData.Uniform(k * n, 22);
        var expected = new float[m * n];
        GemmNaive.Forward(expected, x, w, m, k, n);
        var bound = new float[m * n];
        GemmNaive.Forward(bound, KernelTestData.Abs(x), KernelTestData.Abs(w), m, k, n);
        var shape = new GemmTuner.GemmShape(m, n, k, false, false, System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, 1);
        var y = new float[m * n];
        Gemm.Forward(y, x, w, m, k, n);
        KernelTestData.Close(expected, y, bound, 1e-5, 1e-6, "first (untimed) Forward");
        Assert.False(GemmTuner.Choices.ContainsKey(shape), "the first call of a shape is not timed (cold threads and caches)");
        Array.Clear(y);
        Gemm.Forward(y, x, w, m, k, n);
        KernelTestData.Close(expected, y, bound, 1e-5, 1e-6, "tuned Forward");
        var choice = GemmTuner.Choices[shape];
        Assert.Contains(choice.Variant, choice.Timings.Select(t => t.Variant));
        Assert.All(choice.Timings, t => Assert.True(t.Microseconds > 0 && double.IsFinite(t.Microseconds), $"{t.Variant}: {t.Microseconds} µs"));
    }

    [Fact]
    public void PublicEntries_UseTheDefaultPath()
    {
        float[] x = KernelTestData.Uniform(6 * 5, 1), w = KernelTestData.Uniform(5 * 4, 2);
        var y = new float[6 * 4];
        var expected = new float[6 * 4];
        Gemm.Forward(y, x, w, 6, 5, 4);
        GemmNaive.Forward(expected, x, w, 6, 5, 4);
        KernelTestData.Close(expected, y, KernelTestData.Abs(expected), 1e-5, 1e-5, "Forward default");
    }
}
