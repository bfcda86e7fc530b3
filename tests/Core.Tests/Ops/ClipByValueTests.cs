using Thresher.Core.Ops;

namespace Thresher.Core.Tests.Ops;

public class ClipByValueTests
{
    [Fact]
    public void Clips_into_the_bounds_and_keeps_the_shape()
    {
        Tensor t = Tensor.FromArray([-3f, -1f, 0f, 2f, 5f, 1f], 2, 3);
        Tensor clipped = ClipOps.ClipByValue(t, -1f, 2f);
        Assert.Equal([-1f, -1f, 0f, 2f, 2f, 1f], clipped.Data);
        Assert.Equal([2, 3], clipped.Shape);
        Assert.Equal(-3f, t.Data[0]); // input untouched
    }

    [Fact]
    public void NaN_passes_through_and_infinities_are_clipped()
    {
        Tensor clipped = ClipOps.ClipByValue(Tensor.FromArray(float.NaN, float.PositiveInfinity, float.NegativeInfinity), 0f, 1f);
        Assert.True(float.IsNaN(clipped.Data[0]));
        Assert.Equal(1f, clipped.Data[1]);
        Assert.Equal(0f, clipped.Data[2]);
    }

    [Fact]
    public void Equal_bounds_give_a_constant()
    {
        Assert.Equal([3f, 3f], ClipOps.ClipByValue(Tensor.FromArray(-5f, 5f), 3f, 3f).Data);
    }

    [Fact]
    public void Matches_max_min_formula_on_random_tensors()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            var rng = new Random(seed);
            Tensor t = ReferenceMath.RandomTensor(rng, 2, rng.Next(0, 40));
            float lo = (float)ReferenceMath.Gaussian(rng);
            float hi = lo + (float)rng.NextDouble() * 3;
            Tensor clipped = ClipOps.ClipByValue(t, lo, hi);
            for (int i = 0; i < t.Length; i++) Assert.Equal(Math.Max(Math.Min(t.Data[i], hi), lo), clipped.Data[i]);
        }
    }

    [Theory]
    [InlineData(2f, 1f)]
    [InlineData(float.NaN, 1f)]
    [InlineData(0f, float.NaN)]
    public void Bad_bounds_are_rejected_with_the_values(float lo, float hi)
    {
        var e = Assert.Throws<ArgumentException>(() => ClipOps.ClipByValue(Tensor.FromArray(1f), lo, hi));
        Assert.Contains($"lo = {lo}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"hi = {hi}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relu_is_max_with_zero_and_keeps_NaN()
    {
        Tensor activated = ClipOps.Relu(Tensor.FromArray([-2f, -0f, 0f, 3.5f, float.NaN, float.NegativeInfinity], 3, 2));
        Assert.Equal([0f, 0f, 0f, 3.5f], activated.Data[..4]);
        Assert.Equal(0, BitConverter.SingleToInt32Bits(activated.Data[1])); // max(-0, 0) = +0
        Assert.True(float.IsNaN(activated.Data[4]));
        Assert.Equal(0f, activated.Data[5]);
        Assert.Equal([3, 2], activated.Shape);
    }
}
