using Thresher.Core.Ops;

namespace Thresher.Core.Tests.Ops;

public class GlobalNormTests
{
    [Fact]
    public void TF_docstring_global_norm_is_5()
    {
        Tensor[] ts = [Tensor.FromArray([-2f, 0f, 0f, 4f, 0f, 0f], 2, 3), Tensor.FromArray(1f, -2f)];
        Assert.Equal(5.0, ClipOps.GlobalNorm(ts), 12);
    }

    [Fact]
    public void Sum_of_squares_matches_double_reference_for_every_length_0_to_256()
    {
        var rng = new Random(42);
        for (int length = 0; length <= 256; length++)
        {
            float[] x = ReferenceMath.RandomTensor(rng, 10, length).Data;
            double expected = 0;
            foreach (float v in x) expected += (double)v * v;
            ReferenceMath.AssertClose(expected, ClipOps.SumOfSquares(x), 1e-13, $"length {length}");
        }
        Assert.Equal(0.0, ClipOps.SumOfSquares([]));
    }

    [Fact]
    public void Tutorial_sized_norm_is_accurate_to_1e_minus_10()
    {
        // 535,818 values with a wide dynamic range: a float accumulator would be off by ~1e-6 here.
        var rng = new Random(7);
        Tensor[] ts = [.. ReferenceMath.TutorialShapes.Select(s => ReferenceMath.RandomTensor(rng, rng.NextDouble() * 100, s))];
        double reference = KahanNorm(ts);
        ReferenceMath.AssertClose(reference, ClipOps.GlobalNorm(ts), 1e-10);

        float[] flat = [.. ts.SelectMany(t => t.Data)];
        Assert.Equal(535_818, flat.Length); // 535,040 weights + 778 biases
        ReferenceMath.AssertClose(reference, ClipOps.GlobalNorm(flat), 1e-10);
    }

    [Fact]
    public void Slice_overload_gives_each_slice_norm_and_the_global_norm()
    {
        var rng = new Random(3);
        Tensor[] ts = [.. ReferenceMath.TutorialShapes.Select(s => ReferenceMath.RandomTensor(rng, 0.1, s))];
        float[] flat = [.. ts.SelectMany(t => t.Data)];
        int[] lengths = [.. ts.Select(t => t.Length)];
        var sliceNorms = new double[lengths.Length];

        double global = ClipOps.GlobalNorm(flat, lengths, sliceNorms);

        ReferenceMath.AssertClose(ReferenceMath.Norm(ts), global, 1e-12);
        for (int k = 0; k < ts.Length; k++) ReferenceMath.AssertClose(ReferenceMath.Norm(ts[k].Data), sliceNorms[k], 1e-12);
    }

    [Fact]
    public void Slice_overload_rejects_lengths_that_do_not_cover_the_buffer()
    {
        var e = Assert.Throws<ArgumentException>(() => ClipOps.GlobalNorm(new float[10], [4, 5], new double[2]));
        Assert.Contains("sum to 9", e.Message, StringComparison.Ordinal);
        Assert.Contains("10", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ClipOps.GlobalNorm(new float[10], [4, 6], new double[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.GlobalNorm(new float[10], [11, -1], new double[2]));
    }

    [Fact]
    public void Large_finite_values_do_not_overflow_but_infinity_and_NaN_propagate()
    {
        // 1e30² overflows float (TF's global_norm gives inf) but not double.
        ReferenceMath.AssertClose(Math.Sqrt(2) * 1e30, ClipOps.GlobalNorm([1e30f, -1e30f]), 1e-7);
        Assert.Equal(double.PositiveInfinity, ClipOps.GlobalNorm([1f, float.NegativeInfinity]));
        Assert.True(double.IsNaN(ClipOps.GlobalNorm([float.PositiveInfinity, float.NaN, 1f])));
        float[] longWithNaN = new float[1000];
        longWithNaN[517] = float.NaN;
        Assert.True(double.IsNaN(ClipOps.GlobalNorm(longWithNaN)));
    }

    [Fact]
    public void Empty_list_has_norm_zero_and_null_entries_are_rejected()
    {
        Assert.Equal(0.0, ClipOps.GlobalNorm(Array.Empty<Tensor>()));
        var e = Assert.Throws<ArgumentException>(() => ClipOps.GlobalNorm([Tensor.FromArray(1f), null!]));
        Assert.Contains("[1]", e.Message, StringComparison.Ordinal);
    }

    private static double KahanNorm(IEnumerable<Tensor> tensors)
    {
        double sum = 0, compensation = 0;
        foreach (Tensor t in tensors)
        {
            foreach (float v in t.Data)
            {
                double y = (double)v * v - compensation;
                double next = sum + y;
                compensation = next - sum - y;
                sum = next;
            }
        }
        return Math.Sqrt(sum);
    }
}
