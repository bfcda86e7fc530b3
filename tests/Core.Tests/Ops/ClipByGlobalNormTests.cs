using Thresher.Core.Ops;

namespace Thresher.Core.Tests.Ops;

public class ClipByGlobalNormTests
{
    private static Tensor[] DocstringTensors() => [Tensor.FromArray([-2f, 0f, 0f, 4f, 0f, 0f], 2, 3), Tensor.FromArray(1f, -2f)];

    [Fact]
    public void TF_docstring_clip_to_4()
    {
        (Tensor[] clipped, double norm) = ClipOps.ClipByGlobalNorm(DocstringTensors(), 4f);
        Assert.Equal(5.0, norm, 12);
        ReferenceMath.AssertAllClose([-1.6f, 0f, 0f, 3.2f, 0f, 0f], clipped[0].Data, 1e-5);
        ReferenceMath.AssertAllClose([0.8f, -1.6f], clipped[1].Data, 1e-5);
        Assert.Equal([2, 3], clipped[0].Shape);
        Assert.Equal([2], clipped[1].Shape);
    }

    [Fact]
    public void TF_docstring_clip_to_6_leaves_values_unchanged()
    {
        Tensor[] input = DocstringTensors();
        (Tensor[] clipped, double norm) = ClipOps.ClipByGlobalNorm(input, 6f);
        Assert.Equal(5.0, norm, 12);
        ReferenceMath.AssertBitIdentical(input[0].Data, clipped[0].Data);
        ReferenceMath.AssertBitIdentical(input[1].Data, clipped[1].Data);
        Assert.NotSame(input[0].Data, clipped[0].Data); // new tensors, inputs never aliased
    }

    [Fact]
    public void Properties_hold_on_random_tensors()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            Tensor[] input = ReferenceMath.RandomTensors(rng);
            Tensor[] before = [.. input.Select(t => t.Clone())];
            double n = ReferenceMath.Norm(input);
            float c = (float)(n * (0.2 + rng.NextDouble() * 1.6) + 1e-3); // about half the seeds clip

            (Tensor[] clipped, double norm) = ClipOps.ClipByGlobalNorm(input, c);

            string because = $"seed {seed}, n {n}, c {c}";
            ReferenceMath.AssertClose(n, norm, 1e-12, because);
            ReferenceMath.AssertClose(Math.Min(n, c), ReferenceMath.Norm(clipped), 1e-5, because);
            float scale = ClipOps.ClipScale(norm, c);
            for (int i = 0; i < input.Length; i++)
            {
                ReferenceMath.AssertBitIdentical(before[i].Data, input[i].Data); // inputs untouched
                Assert.Equal(input[i].Shape, clipped[i].Shape);
                // Direction preserved: every entry is the input times one common positive scale.
                for (int j = 0; j < input[i].Length; j++) Assert.Equal(input[i].Data[j] * scale, clipped[i].Data[j]);
                if (n <= c) ReferenceMath.AssertBitIdentical(input[i].Data, clipped[i].Data);
            }
        }
    }

    [Fact]
    public void In_place_variant_matches_the_tensor_variant_bit_for_bit()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            Tensor[] input = ReferenceMath.RandomTensors(rng);
            float c = (float)(ReferenceMath.Norm(input) * (0.2 + rng.NextDouble()) + 1e-3);
            float[] flat = [.. input.SelectMany(t => t.Data)];

            GlobalNormClip result = ClipOps.ClipByGlobalNormInPlace(flat, c);
            (Tensor[] clipped, double norm) = ClipOps.ClipByGlobalNorm(input, c);

            ReferenceMath.AssertClose(norm, result.GlobalNorm, 1e-12);
            ReferenceMath.AssertBitIdentical([.. clipped.SelectMany(t => t.Data)], flat);
            Assert.Equal(result.Scale != 1f, result.Clipped);
            Assert.Equal(ClipOps.ClipScale(result.GlobalNorm, c), result.Scale);
        }
    }

    [Fact]
    public void Tutorial_sized_buffer_clips_to_the_clip_norm()
    {
        var rng = new Random(11);
        float[] flat = [.. ReferenceMath.TutorialShapes.SelectMany(s => ReferenceMath.RandomTensor(rng, 1.0, s).Data)];
        float[] original = (float[])flat.Clone();

        GlobalNormClip result = ClipOps.ClipByGlobalNormInPlace(flat, 15f);

        ReferenceMath.AssertClose(ReferenceMath.Norm(original), result.GlobalNorm, 1e-10);
        Assert.True(result.Clipped);
        Assert.Equal((float)(15f / (float)result.GlobalNorm), result.Scale);
        ReferenceMath.AssertClose(15.0, ReferenceMath.Norm(flat), 1e-6);
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.NaN)]
    public void Nonfinite_entry_makes_every_output_NaN_and_returns_the_norm(float bad)
    {
        Tensor[] input = [Tensor.FromArray(1f, 2f), Tensor.FromArray([0f, bad, 3f], 3, 1)];
        (Tensor[] clipped, double norm) = ClipOps.ClipByGlobalNorm(input, 5f);
        Assert.Equal(float.IsNaN(bad) ? double.NaN : double.PositiveInfinity, norm);
        Assert.All(clipped.SelectMany(t => t.Data), v => Assert.True(float.IsNaN(v)));

        float[] flat = [1f, bad, 0f];
        GlobalNormClip result = ClipOps.ClipByGlobalNormInPlace(flat, 5f);
        Assert.True(result.Clipped);
        Assert.True(float.IsNaN(result.Scale));
        Assert.All(flat, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Zero_tensors_stay_zero_and_empty_input_is_fine()
    {
        (Tensor[] clipped, double norm) = ClipOps.ClipByGlobalNorm([Tensor.Zeros(3, 2), Tensor.FromArray(-0f)], 1f);
        Assert.Equal(0.0, norm);
        ReferenceMath.AssertBitIdentical(new float[6], clipped[0].Data);
        ReferenceMath.AssertBitIdentical([-0f], clipped[1].Data);

        (Tensor[] none, double emptyNorm) = ClipOps.ClipByGlobalNorm(Array.Empty<Tensor>(), 1f);
        Assert.Empty(none);
        Assert.Equal(0.0, emptyNorm);
        Assert.False(ClipOps.ClipByGlobalNormInPlace([], 1f).Clipped);
    }

    [Fact]
    public void UseNorm_replaces_the_computed_norm()
    {
        // Computed norm is 5; pretend it is 10 → scale 4/10.
        (Tensor[] clipped, double norm) = ClipOps.ClipByGlobalNorm(DocstringTensors(), 4f, useNorm: 10);
        Assert.Equal(10.0, norm);
        ReferenceMath.AssertAllClose([-0.8f, 0f, 0f, 1.6f, 0f, 0f], clipped[0].Data, 1e-6);
        ReferenceMath.AssertAllClose([0.4f, -0.8f], clipped[1].Data, 1e-6);

        // A small useNorm leaves values unchanged even though the real norm is above c.
        float[] flat = [30f, 40f];
        GlobalNormClip result = ClipOps.ClipByGlobalNormInPlace(flat, 4f, useNorm: 1);
        Assert.Equal(new GlobalNormClip(1, 1f, false), result);
        Assert.Equal([30f, 40f], flat);

        // A NaN useNorm poisons everything, as a NaN norm would.
        (Tensor[] poisoned, double nanNorm) = ClipOps.ClipByGlobalNorm(DocstringTensors(), 4f, useNorm: double.NaN);
        Assert.True(double.IsNaN(nanNorm));
        Assert.All(poisoned[1].Data, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void ClipScale_is_one_within_the_clip_norm_and_c_over_n_beyond()
    {
        Assert.Equal(1f, ClipOps.ClipScale(0, 15f));
        Assert.Equal(1f, ClipOps.ClipScale(15, 15f));
        Assert.Equal(15f / 153f, ClipOps.ClipScale(153, 15f));
        Assert.Equal(15f / 2062.5f, ClipOps.ClipScale(2062.5, 15f));
        Assert.True(float.IsNaN(ClipOps.ClipScale(double.NaN, 15f)));
        Assert.True(float.IsNaN(ClipOps.ClipScale(double.PositiveInfinity, 15f)));
        // Beyond float range the scale is still c/n (TF, in float32, would have overflowed to NaN).
        Assert.Equal((float)(15 / 1e40), ClipOps.ClipScale(1e40, 15f));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipScale(-1, 15f));
        Assert.Contains("-1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-2.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Invalid_clip_norm_is_rejected_everywhere_with_the_value(float clipNorm)
    {
        string got = $"got {clipNorm}";
        Assert.Contains(got, Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipByGlobalNorm(DocstringTensors(), clipNorm)).Message, StringComparison.Ordinal);
        Assert.Contains(got, Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipByGlobalNormInPlace(new float[2], clipNorm)).Message, StringComparison.Ordinal);
        Assert.Contains(got, Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipScale(1, clipNorm)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_useNorm_is_rejected_with_the_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipByGlobalNorm(DocstringTensors(), 4f, useNorm: -3));
        Assert.Equal("useNorm", e.ParamName);
        Assert.Contains("-3", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClipOps.ClipByGlobalNormInPlace(new float[2], 4f, useNorm: -0.5));
    }
}
