using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>The public kernel entries reject bad shapes once, with messages that name the values.</summary>
public class KernelArgumentTests
{
    [Fact]
    public void Gemm_ShortInput_NamesSpanAndShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Forward(new float[6], new float[5], new float[6], 2, 3, 3));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("x has 5 elements", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2,3] needs 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gemm_ShortOutput_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.WeightGradient(new float[5], new float[6], new float[6], 2, 3, 3));
        Assert.Contains("dW has 5 elements", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Gemm.InputGradient(new float[6], new float[6], new float[8], 2, 3, 3));
        Assert.Contains("w has 8 elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gemm_ZeroThreads_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Forward(new float[4], new float[4], new float[4], 2, 2, 2, threads: 0));
        Assert.Contains("threads=0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gemm_NegativeDimension_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.InputGradient([], [], [], 2, -1, 2));
        Assert.Contains("k=-1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Activation_ShortBias_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Activation.BiasReluForward(new float[6], new float[2], 2, 3));
        Assert.Contains("b has 2 elements but needs at least 3", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Activation.ReluBackward(new float[4], new float[4], new float[3]));
        Assert.Equal("y", ex.ParamName);
    }

    [Fact]
    public void Loss_LabelOutOfRange_NamesRowAndLabel()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Loss.SoftmaxCrossEntropy(new float[20], new float[20], [3, 10], 2, 10, 1f));
        Assert.Contains("labels[1] = 10", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Loss.MseOneHot(new float[20], new float[20], [3], 2, 10, 1f));
    }

    [Fact]
    public void Sgd_MomentumWithoutVelocity_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Sgd.Update(new float[4], new float[4], [], 0.1f, 0.9f, 1f));
        Assert.Equal("velocity", ex.ParamName);
        Sgd.Update(new float[4], new float[4], [], 0.1f, 0f, 1f); // momentum 0: velocity may be empty
    }
}
