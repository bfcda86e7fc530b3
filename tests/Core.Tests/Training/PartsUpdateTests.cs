using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>The parameter server's fused, threaded update equals summing the parts and UpdateRule.Apply, bit for bit.</summary>
public sealed class PartsUpdateTests
{
    // Odd tensor lengths (37·19, 19, 19·5, 5) so vector tails and chunk boundaries fall mid-tensor.
    static readonly ParameterLayout Layout = new(new MlpConfig([37, 19, 5]));

    static float[] Random(int seed, float scale)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, Layout.TotalLength).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale)];
    }

    static byte[] Bytes(float[] x) => MemoryMarshal.AsBytes(x.AsSpan()).ToArray();

    static float[] Floats(byte[] x) => MemoryMarshal.Cast<byte, float>(x.AsSpan()).ToArray();

    [Theory]
    [InlineData(1, 1, 0f, 15f)]
    [InlineData(2, 1, 0f, 15f)]
    [InlineData(2, 2, 0f, 1f)]
    [InlineData(2, 2, 0.9f, 1f)]
    [InlineData(3, 2, 0f, 1f)]
    [InlineData(4, 2, 0.5f, null)]
    [InlineData(1, 2, 0.9f, 1f)]
    public void Equals_summing_then_UpdateRule_bit_for_bit(int workers, int threads, float momentum, float? clip)
    {
        var expectedTheta = Random(1, 1);
        var theta = Bytes(expectedTheta);
        var reference = new UpdateRule(Layout, Optimizer.Sgd(0.1f, momentum, Layout.TotalLength), clip, NonFinitePolicy.Skip);
        var fused = new PartsUpdate(new UpdateRule(Layout, Optimizer.Sgd(0.1f, momentum, Layout.TotalLength), clip, NonFinitePolicy.Skip), threads);
        for (int step = 0; step < 3; step++)
        {
            var parts = Enumerable.Range(0, workers).Select(w => Random(10 * step + w + 2, 3f / workers)).ToArray();
            var sum = (float[])parts[0].Clone();
            for (int w = 1; w < workers; w++) TensorPrimitives.Add(sum, parts[w], sum); // the old aggregation: (g₀ + g₁) + g₂ …
            var expected = reference.Apply(expectedTheta, sum, step, 1.5);

            var bytes = parts.Select(Bytes).ToArray();
            var decision = fused.Measure(bytes);
            var actual = fused.Apply(theta, bytes, step, 1.5, decision);

            Assert.Equal(expected.GlobalNorm, actual.GlobalNorm);
            Assert.Equal(expected.TensorNorms, actual.TensorNorms);
            Assert.Equal(expected.ClipScale, actual.ClipScale);
            Assert.Equal(expected.Clipped, actual.Clipped);
            Assert.Equal(expectedTheta, Floats(theta));
            Assert.Equal(reference.Optimizer.Velocity, fused.Rule.Optimizer.Velocity);
            Assert.All(bytes.Zip(parts), p => Assert.Equal(p.Second, Floats(p.First))); // the parts are read, never written
        }
    }

    [Theory]
    [InlineData(NonFinitePolicy.Skip)]
    [InlineData(NonFinitePolicy.Abort)]
    public void A_non_finite_sum_leaves_theta_untouched(NonFinitePolicy policy)
    {
        var before = Random(1, 1);
        var theta = Bytes(before);
        var bad = Random(3, 1);
        bad[Layout.TotalLength - 1] = float.NaN;
        var parts = new[] { Bytes(Random(2, 1)), Bytes(bad) };
        var update = new PartsUpdate(new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0, Layout.TotalLength), 15f, policy), 2);
        var decision = update.Measure(parts);
        Assert.False(decision.Finite);
        if (policy == NonFinitePolicy.Skip) Assert.True(update.Apply(theta, parts, 7, 1, decision).Skipped);
        else Assert.Throws<NonFiniteGradientException>(() => update.Apply(theta, parts, 7, 1, decision));
        Assert.Equal(before, Floats(theta));
    }

    [Fact]
    public void Parts_of_the_wrong_length_are_refused()
    {
        var update = new PartsUpdate(new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0, Layout.TotalLength), 15f, NonFinitePolicy.Skip), 2);
        Assert.Throws<ArgumentException>(() => update.Measure([new byte[8]]));
        Assert.Throws<ArgumentException>(() => update.Measure([]));
    }

    [Fact]
    public void Sum_of_squares_of_sum_equals_adding_then_summing_squares_for_every_length_0_to_300()
    {
        var rng = new Random(7);
        for (int length = 0; length <= 300; length++)
        {
            var a = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
            var b = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
            var expectedSum = new float[length];
            TensorPrimitives.Add(a, b, expectedSum);
            var sum = new float[length];
            double actual = ClipOps.SumOfSquaresOfSum(a, b, sum);
            Assert.Equal(ClipOps.SumOfSquares(expectedSum), actual);
            Assert.Equal(expectedSum, sum);
        }
    }
}
