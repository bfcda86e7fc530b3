using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>
/// On the default MLP (535,818 values, 37 norm blocks, w1 shared by every thread) the parameter server's pass gives
/// the same bits for 1–4 threads: norms, clip scale, θ and velocity after Apply — and those of the serial reference
/// (sum the parts, then <see cref="UpdateRule.Apply(Span{float}, ReadOnlySpan{float}, long, double)"/>).
/// </summary>
public sealed class PartsUpdateThreadsTests
{
    static readonly ParameterLayout Layout = new(MlpConfig.Tutorial);

    static float[] Random(int seed, float scale)
    {
        var rng = new Random(seed);
        var x = new float[Layout.TotalLength];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    static byte[] Bytes(float[] x) => MemoryMarshal.AsBytes(x.AsSpan()).ToArray();

    static float[] Floats(byte[] x) => MemoryMarshal.Cast<byte, float>(x.AsSpan()).ToArray();

    static UpdateRule Rule() => new(Layout, Optimizer.Sgd(0.05f, 0.9f, Layout.TotalLength), 100f, NonFinitePolicy.Skip);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Norms_scale_and_theta_are_the_same_bits_for_1_to_4_threads(int workers)
    {
        const int steps = 3;
        var partsOfStep = Enumerable.Range(0, steps)
            .Select(step => Enumerable.Range(0, workers).Select(w => Random(100 * step + w + 2, 1f / workers)).ToArray()).ToArray();
        var reference = Rule();
        var referenceTheta = Random(1, 1);
        var thetaStart = (float[])referenceTheta.Clone();
        var expected = new StepStatistics[steps];
        for (int step = 0; step < steps; step++)
        {
            var sum = (float[])partsOfStep[step][0].Clone();
            for (int w = 1; w < workers; w++) TensorPrimitives.Add(sum, partsOfStep[step][w], sum);
            expected[step] = reference.Apply(referenceTheta, sum, step, 1.0);
        }
        Assert.True(expected[0].Clipped, "the threshold is below the first step's norm, so the scale matters");

        for (int threads = 1; threads <= 4; threads++)
        {
            var update = new PartsUpdate(Rule(), threads);
            var theta = Bytes(thetaStart);
            for (int step = 0; step < steps; step++)
            {
                var bytes = partsOfStep[step].Select(Bytes).ToArray();
                var decision = update.Measure(bytes);
                var actual = update.Apply(theta, bytes, step, 1.0, decision);

                Assert.Equal(expected[step].TensorNorms, actual.TensorNorms);
                Assert.Equal(expected[step].GlobalNorm, actual.GlobalNorm);
                Assert.Equal(expected[step].ClipScale, actual.ClipScale);
            }
            Assert.True(referenceTheta.AsSpan().SequenceEqual(Floats(theta)), $"θ after {steps} steps differs at {threads} threads");
            Assert.True(reference.Optimizer.Velocity.AsSpan().SequenceEqual(update.Rule.Optimizer.Velocity), $"velocity differs at {threads} threads");
        }
    }
}
