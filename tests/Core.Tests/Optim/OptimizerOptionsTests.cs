using Thresher.Core.Optim;

namespace Thresher.Core.Tests.Optim;

public sealed class OptimizerOptionsTests
{
    [Fact]
    public void Defaults_are_PyTorchs()
    {
        var adamw = OptimizerOptions.For(OptimizerKind.AdamW);
        Assert.Equal((0.9f, 0.999f, 1e-8f, 0.01f), (adamw.Beta1, adamw.Beta2, adamw.Eps, adamw.WeightDecay));
        Assert.Equal(1e-3f, adamw.DefaultLearningRate);
        Assert.Equal(0f, OptimizerOptions.For(OptimizerKind.Adam).WeightDecay);
        Assert.Equal((0f, 0f, false, 0f), (new OptimizerOptions().Momentum, new OptimizerOptions().Dampening, new OptimizerOptions().Nesterov, new OptimizerOptions().WeightDecay));
    }

    [Theory]
    [InlineData("beta1", "beta1 1: must be in [0, 1)")]
    [InlineData("beta2", "beta2 NaN: must be in [0, 1)")]
    [InlineData("eps", "eps 0: must be a finite number > 0")]
    [InlineData("wd", "weight-decay -0.1: must be a finite number ≥ 0")]
    [InlineData("momentum", "momentum 1: must be in [0, 1)")]
    [InlineData("dampening", "dampening 2: must be in [0, 1]")]
    [InlineData("nesterov", "nesterov: needs --momentum > 0 and --dampening 0")]
    public void Bad_values_are_refused_naming_the_value_and_the_range(string which, string message)
    {
        var adam = OptimizerOptions.For(OptimizerKind.Adam);
        var options = which switch
        {
            "beta1" => adam with { Beta1 = 1 },
            "beta2" => adam with { Beta2 = float.NaN },
            "eps" => adam with { Eps = 0 },
            "wd" => adam with { WeightDecay = -0.1f },
            "momentum" => OptimizerOptions.Sgd(1),
            "dampening" => OptimizerOptions.Sgd(0.5f) with { Dampening = 2 },
            _ => OptimizerOptions.Sgd(0) with { Nesterov = true },
        };
        var e = Assert.Throws<ThresherInputException>(options.Validate);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(OptimizerKind.AdamW, OptimizerKinds.Parse("AdamW"));
        Assert.Contains("expected one of sgd, adam, adamw", Assert.Throws<ThresherInputException>(() => OptimizerKinds.Parse("lion")).Message, StringComparison.Ordinal);
    }
}
