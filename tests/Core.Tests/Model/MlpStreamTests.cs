using Thresher.Core.Model;
using Thresher.Core.Tests.Kernels;

namespace Thresher.Core.Tests.Model;

/// <summary>
/// Mlp.Gradient with a stream (--overlap): it reads θ only as far as it has asked for it, asks in the plan's order,
/// announces gradient parts only when they hold their final values, covers the whole gradient, and computes the same
/// bits and loss as without a stream.
/// </summary>
public sealed class MlpStreamTests
{
    /// <summary>
    /// A stream that copies θ into the computation's buffer only up to what was asked for (the rest stays NaN, so an
    /// early read would change the result) and snapshots each announced gradient range.
    /// </summary>
    sealed class RecordingStream(float[] source, float[] buffer, float[] grad) : IStepStream
    {
        int _copied;
        public List<int> Asked { get; } = [];
        public List<(int Start, int End, float[] Values)> Announced { get; } = [];

        public void AwaitParameters(int end)
        {
            Asked.Add(end);
            if (end > _copied) // copy only what was not asked for before
            {
                source.AsSpan(_copied, end - _copied).CopyTo(buffer.AsSpan(_copied));
                _copied = end;
            }
        }

        public void GradientReady(int start, int end) => Announced.Add((start, end, grad.AsSpan(start, end - start).ToArray()));
    }

    public static TheoryData<int[], int, int> Models => new()
    {
        { [784, 64, 32, 10], 17, 1 }, { [784, 64, 32, 10], 17, 2 }, { [300, 40, 10], 9, 1 }, { [257, 10], 4, 2 }, { [20, 8, 5], 3, 1 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_streamed_gradient_reads_only_what_arrived_and_equals_the_whole_one(int[] layers, int batch, int threads)
    {
        var config = new MlpConfig(layers);
        var layout = new ParameterLayout(config);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, InitKind.He, 3);
        float[] x = KernelTestData.Uniform(batch * config.Inputs, 11);
        byte[] labels = KernelTestData.Labels(batch, config.Outputs, 12);

        var expected = new float[theta.Length];
        double expectedLoss = new Mlp(config, batch, threads).Gradient(expected, theta, x, labels, batch, LossKind.Mse, 1f / batch);

        var arriving = Enumerable.Repeat(float.NaN, theta.Length).ToArray();
        var grad = Enumerable.Repeat(float.NaN, theta.Length).ToArray();
        var stream = new RecordingStream(theta, arriving, grad);
        double loss = new Mlp(config, batch, threads).Gradient(grad, arriving, x, labels, batch, LossKind.Mse, 1f / batch, stream);

        Assert.Equal(expectedLoss, loss);
        KernelTestData.Identical(expected, grad, "streamed gradient");
        var plan = new StreamPlan(layout);
        Assert.Equal(plan.Parts.Select(p => p.End), stream.Asked); // w1's blocks in order, then the tail
        // Announced: the tail first, then w1's blocks in order; together exactly [0, P); each range already final when announced.
        Assert.Equal([plan.Parts[plan.Tail], .. plan.Parts.Take(plan.Tail)], stream.Announced.Select(a => (a.Start, a.End)));
        foreach (var (start, end, values) in stream.Announced)
            KernelTestData.Identical(expected.AsSpan(start, end - start), values, $"part [{start}, {end}) when announced");
    }

    [Fact]
    public void The_plan_cuts_w1_into_its_forward_product_s_k_blocks_then_the_rest()
    {
        var layout = new ParameterLayout(new MlpConfig([784, 512, 256, 10]));
        var plan = new StreamPlan(layout);
        Assert.Equal([(0, 100_352), (100_352, 200_704), (200_704, 301_056), (301_056, 401_408), (401_408, 535_818)], plan.Parts);
        Assert.Equal(4, plan.Tail);
        Assert.Equal(100_352 * sizeof(float), plan.ByteOffset(1));
        Assert.Equal(134_410 * sizeof(float), plan.ByteLength(4));
    }
}
