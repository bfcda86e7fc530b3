using Thresher.Core.Ops;

namespace Thresher.Core.Tests.Ops;

public class ClipByNormTests
{
    [Fact]
    public void TF_docstring_whole_tensor()
    {
        // tf.clip_by_norm([[1, 2, 3, 4, 5]], 2.0)
        Tensor clipped = ClipOps.ClipByNorm(Tensor.FromArray([1f, 2f, 3f, 4f, 5f], 1, 5), 2f);
        ReferenceMath.AssertAllClose([0.26968f, 0.53936f, 0.80904f, 1.07872f, 1.3484f], clipped.Data, 1e-5);
        Assert.Equal([1, 5], clipped.Shape);
    }

    [Fact]
    public void TF_docstring_axes_1()
    {
        // tf.clip_by_norm([[-3, 0, 0], [4, 0, 3]], 4.0, axes=[1]): row norms 3 and 5
        Tensor t = Tensor.FromArray([-3f, 0f, 0f, 4f, 0f, 3f], 2, 3);
        ReferenceMath.AssertAllClose([-3f, 0f, 0f, 3.2f, 0f, 2.4f], ClipOps.ClipByNorm(t, 4f, [1]).Data, 1e-5);
        ReferenceMath.AssertAllClose([-3f, 0f, 0f, 3.2f, 0f, 2.4f], ClipOps.ClipByNorm(t, 4f, [-1]).Data, 1e-5);
    }

    [Fact]
    public void Axes_0_clips_each_column()
    {
        // Column norms 5, 0, 3; c = 4 clips only the first.
        Tensor t = Tensor.FromArray([-3f, 0f, 0f, 4f, 0f, 3f], 2, 3);
        ReferenceMath.AssertAllClose([-2.4f, 0f, 0f, 3.2f, 0f, 3f], ClipOps.ClipByNorm(t, 4f, [0]).Data, 1e-6);
        ReferenceMath.AssertAllClose([-2.4f, 0f, 0f, 3.2f, 0f, 3f], ClipOps.ClipByNorm(t, 4f, [-2]).Data, 1e-6);
    }

    [Fact]
    public void Empty_axes_clip_each_entry_and_all_axes_equal_null()
    {
        Tensor t = Tensor.FromArray([-3f, 0.5f, 7f], 3);
        Assert.Equal([-2f, 0.5f, 2f], ClipOps.ClipByNorm(t, 2f, []).Data);
        Assert.Equal(ClipOps.ClipByNorm(t, 2f).Data, ClipOps.ClipByNorm(t, 2f, [0]).Data);
    }

    [Fact]
    public void All_zero_stays_zero_including_negative_zero()
    {
        Tensor clipped = ClipOps.ClipByNorm(Tensor.FromArray([0f, -0f, 0f, 0f], 2, 2), 1f, [1]);
        ReferenceMath.AssertBitIdentical([0f, -0f, 0f, 0f], clipped.Data);
    }

    [Fact]
    public void NaN_poisons_only_its_slice()
    {
        Tensor clipped = ClipOps.ClipByNorm(Tensor.FromArray([float.NaN, 1f, 30f, 40f], 2, 2), 5f, [1]);
        Assert.True(float.IsNaN(clipped.Data[0]) && float.IsNaN(clipped.Data[1]));
        ReferenceMath.AssertAllClose([3f, 4f], clipped.Data[2..], 1e-6);
    }

    [Fact]
    public void Any_axes_subset_of_rank3_matches_a_double_reference()
    {
        int[][] axesChoices = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2], [-1, 0], [], [2, -3]];
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            int[] shape = [rng.Next(1, 5), rng.Next(1, 5), rng.Next(1, 5)];
            Tensor t = ReferenceMath.RandomTensor(rng, 3, shape);
            int[] axes = axesChoices[seed % axesChoices.Length];
            float c = (float)(0.5 + rng.NextDouble() * 5);
            Tensor clipped = ClipOps.ClipByNorm(t, c, axes);
            float[] expected = ReferenceClipByNorm(t, c, axes);
            for (int i = 0; i < expected.Length; i++)
            {
                ReferenceMath.AssertClose(expected[i], clipped.Data[i], 1e-6, $"seed {seed}, axes [{string.Join(",", axes)}], entry {i}");
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-3)]
    public void Axis_out_of_range_is_rejected_with_the_axis_and_rank(int axis)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipByNorm(Tensor.Zeros(2, 2), 1f, [axis]));
        Assert.Contains($"Axis {axis}", e.Message, StringComparison.Ordinal);
        Assert.Contains("rank 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_axis_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ClipOps.ClipByNorm(Tensor.Zeros(2, 2), 1f, [1, -1]));
        Assert.Contains("Axis -1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Invalid_clip_norm_is_rejected_with_the_value(float clipNorm)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipByNorm(Tensor.FromArray(1f), clipNorm));
        Assert.Contains($"got {clipNorm}", e.Message, StringComparison.Ordinal);
        Assert.Equal("clipNorm", e.ParamName);
    }

    // Per-entry reference: sum over all entries sharing the non-reduced coordinates, in double.
    private static float[] ReferenceClipByNorm(Tensor t, float c, int[] axes)
    {
        int[] shape = t.Shape;
        var reduced = new bool[shape.Length];
        foreach (int a in axes) reduced[a < 0 ? a + shape.Length : a] = true;
        var result = new float[t.Length];
        for (int i = 0; i < t.Length; i++)
        {
            int[] idx = Unravel(i, shape);
            double s = 0;
            for (int j = 0; j < t.Length; j++)
            {
                int[] jdx = Unravel(j, shape);
                bool same = true;
                for (int d = 0; d < shape.Length; d++) same &= reduced[d] || idx[d] == jdx[d];
                if (same) s += (double)t.Data[j] * t.Data[j];
            }
            double n = Math.Sqrt(s);
            result[i] = (float)(t.Data[i] * (double)c / Math.Max(n, c));
        }
        return result;
    }

    private static int[] Unravel(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
