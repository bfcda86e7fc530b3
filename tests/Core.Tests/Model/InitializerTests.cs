using Thresher.Core.Model;

namespace Thresher.Core.Tests.Model;

public sealed class InitializerTests
{
    [Fact]
    public void Layout_matches_the_tutorial_shapes()
    {
        var layout = new ParameterLayout(MlpConfig.Tutorial);
        Assert.Equal(["w1", "b1", "w2", "b2", "w3", "b3"], layout.Names);
        Assert.Equal(535_818, layout.TotalLength); // 535,040 weights + 778 biases
        Assert.Equal([784, 512], layout.Weight(0).Shape);
        Assert.Equal(784 * 512, layout.Bias(0).Offset);
        Assert.Equal([10], layout.Bias(2).Shape);
    }

    [Fact]
    public void Truncated_normal_stays_within_two_sigma_with_the_right_spread()
    {
        var layout = new ParameterLayout(MlpConfig.Tutorial);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, InitKind.TruncNormal, 1234);
        var w1 = layout.Weight(0).Of(theta).ToArray();
        Assert.All(w1, v => Assert.InRange(v, -0.2f, 0.2f));
        // A normal truncated at ±2σ has standard deviation 0.8796σ.
        double std = MathNet.Numerics.Statistics.Statistics.StandardDeviation(w1.Select(v => (double)v));
        Assert.InRange(std, 0.0870, 0.0890);
        Assert.All(layout.Bias(0).Of(theta).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(InitKind.He)]
    [InlineData(InitKind.Glorot)]
    public void He_and_Glorot_have_their_documented_spread(InitKind kind)
    {
        var layout = new ParameterLayout(MlpConfig.Tutorial);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, kind, 5);
        var w2 = layout.Weight(1).Of(theta).ToArray().Select(v => (double)v).ToArray();
        double expected = kind == InitKind.He ? Math.Sqrt(2.0 / 512) : Math.Sqrt(6.0 / (512 + 256)) / Math.Sqrt(3);
        double std = MathNet.Numerics.Statistics.Statistics.StandardDeviation(w2);
        Assert.InRange(std / expected, 0.98, 1.02);
    }

    [Fact]
    public void Same_seed_same_parameters_other_seed_other_parameters()
    {
        var layout = new ParameterLayout(new MlpConfig([20, 10, 3]));
        var a = new float[layout.TotalLength];
        var b = new float[layout.TotalLength];
        var c = new float[layout.TotalLength];
        Initializer.Initialize(a, layout, InitKind.TruncNormal, 42);
        Initializer.Initialize(b, layout, InitKind.TruncNormal, 42);
        Initializer.Initialize(c, layout, InitKind.TruncNormal, 43);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData("784")]
    [InlineData("784,0,10")]
    [InlineData("784,-5,10")]
    [InlineData("784,abc,10")]
    [InlineData("784,99999,10")]
    public void Bad_layer_specs_are_rejected_naming_the_value(string text)
    {
        var e = Assert.Throws<ThresherInputException>(() => MlpConfig.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }
}
