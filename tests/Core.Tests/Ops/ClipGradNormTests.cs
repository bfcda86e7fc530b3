using Thresher.Core.Ops;

namespace Thresher.Core.Tests.Ops;

public class ClipGradNormTests
{
    public static TheoryData<double> NormTypes => new() { 1, 2, 3, 2.5, double.PositiveInfinity };

    [Theory]
    [MemberData(nameof(NormTypes))]
    public void Matches_the_PyTorch_formula_on_random_tensors(double p)
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            Tensor[] grads = ReferenceMath.RandomTensors(rng);
            Tensor[] before = [.. grads.Select(t => t.Clone())];
            double expectedTotal = ReferencePNorm(before, p);
            float maxNorm = (float)(expectedTotal * (0.2 + rng.NextDouble() * 1.6) + 1e-3);

            double total = ClipOps.ClipGradNorm(grads, maxNorm, p);

            string because = $"seed {seed}, p {p}";
            ReferenceMath.AssertClose(expectedTotal, total, 1e-12, because);
            double coef = Math.Min(1.0, maxNorm / (expectedTotal + 1e-6));
            for (int i = 0; i < grads.Length; i++)
            {
                for (int j = 0; j < grads[i].Length; j++)
                {
                    ReferenceMath.AssertClose(before[i].Data[j] * coef, grads[i].Data[j], 1e-6, because);
                }
                if (coef >= 1) ReferenceMath.AssertBitIdentical(before[i].Data, grads[i].Data);
            }
        }
    }

    [Fact]
    public void Worked_examples_for_p_1_2_inf()
    {
        // |g| = 3, 4 → p=1: 7, p=2: 5, p=∞: 4
        Assert.Equal(7.0, ClipOps.ClipGradNorm([Tensor.FromArray(3f, -4f)], 100f, normType: 1));
        Assert.Equal(5.0, ClipOps.ClipGradNorm([Tensor.FromArray(3f), Tensor.FromArray(-4f)], 100f), 12);
        Assert.Equal(4.0, ClipOps.ClipGradNorm([Tensor.FromArray(3f), Tensor.FromArray(-4f)], 100f, double.PositiveInfinity));

        Tensor[] grads = [Tensor.FromArray(3f, -4f)];
        ClipOps.ClipGradNorm(grads, 1f);
        float coef = (float)(1 / (5 + 1e-6)); // slightly above 1/5: the 1e-6 is PyTorch's, not TF's
        Assert.Equal([3f * coef, -4f * coef], grads[0].Data);
    }

    [Fact]
    public void Span_overload_matches_the_tensor_overload()
    {
        var rng = new Random(5);
        Tensor[] grads = ReferenceMath.RandomTensors(rng);
        float[] flat = [.. grads.SelectMany(t => t.Data)];
        foreach (double p in new[] { 1, 2, 3, double.PositiveInfinity })
        {
            Tensor[] copy = [.. grads.Select(t => t.Clone())];
            float[] flatCopy = (float[])flat.Clone();
            double total = ClipOps.ClipGradNorm(copy, 0.5f, p);
            ReferenceMath.AssertClose(total, ClipOps.ClipGradNorm(flatCopy, 0.5f, p), 1e-12);
            ReferenceMath.AssertBitIdentical([.. copy.SelectMany(t => t.Data)], flatCopy);
        }
    }

    [Fact]
    public void Nonfinite_total_scales_like_PyTorch_unless_asked_to_throw()
    {
        // +∞ total: coef = max/∞ = 0, finite entries become 0 and ∞·0 = NaN.
        Tensor[] grads = [Tensor.FromArray(1f, float.PositiveInfinity)];
        Assert.Equal(double.PositiveInfinity, ClipOps.ClipGradNorm(grads, 1f));
        Assert.Equal(0f, grads[0].Data[0]);
        Assert.True(float.IsNaN(grads[0].Data[1]));

        // NaN total: every entry NaN.
        Tensor[] withNaN = [Tensor.FromArray(1f, float.NaN)];
        Assert.True(double.IsNaN(ClipOps.ClipGradNorm(withNaN, 1f, double.PositiveInfinity)));
        Assert.All(withNaN[0].Data, v => Assert.True(float.IsNaN(v)));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void ErrorIfNonfinite_throws_before_touching_the_values(float bad)
    {
        Tensor[] grads = [Tensor.FromArray(1f, 2f), Tensor.FromArray(bad)];
        var e = Assert.Throws<ArithmeticException>(() => ClipOps.ClipGradNorm(grads, 1f, errorIfNonfinite: true));
        Assert.Contains("not finite", e.Message, StringComparison.Ordinal);
        Assert.Contains(float.IsNaN(bad) ? "NaN" : "∞", e.Message, StringComparison.Ordinal);
        Assert.Equal([1f, 2f], grads[0].Data);
        Assert.Throws<ArithmeticException>(() => ClipOps.ClipGradNorm([1f, bad], 1f, errorIfNonfinite: true));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(double.NaN)]
    public void Norm_type_below_1_is_rejected_with_the_value(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipGradNorm([Tensor.FromArray(1f)], 1f, p));
        Assert.Contains($"got {p}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Invalid_max_norm_is_rejected_with_the_value(float maxNorm)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipGradNorm([Tensor.FromArray(1f)], maxNorm));
        Assert.Equal("maxNorm", e.ParamName);
        Assert.Contains($"got {maxNorm}", e.Message, StringComparison.Ordinal);
    }

    private static double ReferencePNorm(IEnumerable<Tensor> tensors, double p)
    {
        IEnumerable<double> magnitudes = tensors.SelectMany(t => t.Data).Select(v => Math.Abs((double)v));
        if (double.IsPositiveInfinity(p)) return magnitudes.DefaultIfEmpty(0).Max();
        return Math.Pow(magnitudes.Sum(m => Math.Pow(m, p)), 1 / p);
    }
}
