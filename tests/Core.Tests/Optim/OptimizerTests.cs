using Thresher.Core.Optim;

namespace Thresher.Core.Tests.Optim;

/// <summary>
/// <see cref="Optimizer"/> against <see cref="TorchReference"/> (PyTorch's documented algorithms in double): five steps
/// with a new gradient, learning rate and clip scale each, on 37 elements (vector branches and a scalar tail).
/// </summary>
public sealed class OptimizerTests
{
    const int Length = 37, Steps = 5;

    static float[] Values(int seed, double scale)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, Length).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale))];
    }

    static readonly double[] Rates = [0.05, 0.04, 0.03, 0.05, 0.01];
    static readonly float[] Scales = [1f, 0.5f, 1f, 0.25f, 1f];

    /// <summary>Runs both for <see cref="Steps"/> steps; returns (float θ, reference θ).</summary>
    static (float[] Actual, TorchReference Reference, Optimizer Optimizer) Run(OptimizerOptions options, Action<TorchReference, double[], double> reference)
    {
        var theta = Values(1, 1);
        var optimizer = new Optimizer(options, 0.05f, Length);
        var expected = new TorchReference([.. theta.Select(v => (double)v)]);
        for (int s = 0; s < Steps; s++)
        {
            var grad = Values(10 + s, 2);
            optimizer.Apply(theta, grad, Rates[s], Scales[s]);
            reference(expected, [.. grad.Select(g => (double)Scales[s] * g)], Rates[s]);
        }
        Assert.Equal(Steps, optimizer.Steps);
        return (theta, expected, optimizer);
    }

    static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: reference {expected[i]:G9}, optimizer {actual[i]:G9}");
    }

    [Theory]
    [InlineData(0f, 0f, false, 0f)]      // plain SGD
    [InlineData(0f, 0f, false, 0.01f)]   // L2 weight decay
    [InlineData(0.9f, 0f, false, 0f)]    // heavy ball
    [InlineData(0.9f, 0.3f, false, 0f)]  // dampening: not on the first step, as PyTorch
    [InlineData(0.8f, 0f, true, 0.02f)]  // nesterov with decay
    public void Sgd_follows_torch_optim_sgd(float momentum, float dampening, bool nesterov, float weightDecay)
    {
        var options = OptimizerOptions.Sgd(momentum) with { Dampening = dampening, Nesterov = nesterov, WeightDecay = weightDecay };
        var (theta, reference, optimizer) = Run(options, (r, g, lr) => r.Sgd(g, lr, momentum, dampening, nesterov, weightDecay));
        AssertClose(reference.Theta, theta, 1e-6, "θ");
        if (momentum > 0) AssertClose(reference.Buffer, optimizer.Velocity, 1e-6, "momentum buffer");
        else Assert.Empty(optimizer.Velocity);
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.01f, false)]
    [InlineData(0.01f, true)]
    [InlineData(0.1f, true)]
    public void Adam_and_AdamW_follow_torch_optim(float weightDecay, bool decoupled)
    {
        var options = OptimizerOptions.For(decoupled ? OptimizerKind.AdamW : OptimizerKind.Adam) with { WeightDecay = weightDecay, Beta1 = 0.85f, Beta2 = 0.99f, Eps = 1e-6f };
        var (theta, reference, optimizer) = Run(options, (r, g, lr) => r.Adam(g, lr, 0.85f, 0.99f, 1e-6f, weightDecay, decoupled));
        AssertClose(reference.Theta, theta, 2e-6, "θ");
        AssertClose(reference.M, optimizer.ExpAvg, 1e-6, "exp_avg");
        AssertClose(reference.V, optimizer.ExpAvgSq, 1e-6, "exp_avg_sq");
    }

    [Fact]
    public void AdamW_differs_from_Adam_by_the_decoupled_decay_alone()
    {
        // Without decay they are one algorithm, to the bit.
        var (adam0, _, _) = Run(OptimizerOptions.For(OptimizerKind.Adam), (_, _, _) => { });
        var (adamw0, _, _) = Run(OptimizerOptions.For(OptimizerKind.AdamW) with { WeightDecay = 0 }, (_, _, _) => { });
        Assert.Equal(adam0, adamw0);

        // One step from θ: AdamW = (θ − lr·wd·θ) − lr·m̂/(√v̂ + ε) with m, v of g alone; Adam(wd) feeds g + wd·θ into m, v.
        var theta = Values(1, 1);
        var grad = Values(2, 2);
        float lr = 0.01f, wd = 0.5f;
        var adamw = (float[])theta.Clone();
        new Optimizer(OptimizerOptions.For(OptimizerKind.AdamW) with { WeightDecay = wd }, lr, Length).Apply(adamw, grad, lr, 1f);
        var plain = (float[])theta.Clone();
        new Optimizer(OptimizerOptions.For(OptimizerKind.Adam), lr, Length).Apply(plain, grad, lr, 1f);
        var l2 = (float[])theta.Clone();
        new Optimizer(OptimizerOptions.For(OptimizerKind.Adam) with { WeightDecay = wd }, lr, Length).Apply(l2, grad, lr, 1f);
        for (int i = 0; i < Length; i++)
        {
            Assert.Equal(plain[i] - (double)lr * wd * theta[i], adamw[i], 1e-6);
            // Adam's first step is lr·sign(g + wd·θ) (m̂/√v̂ = ±1, ε aside): it moves θ by lr whatever the decay.
            Assert.Equal(lr, Math.Abs(l2[i] - theta[i]), 1e-5);
        }
        Assert.NotEqual(adamw, l2);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void A_step_split_into_ranges_equals_the_whole_step_bit_for_bit(OptimizerKind kind)
    {
        var options = kind == OptimizerKind.Sgd ? OptimizerOptions.Sgd(0.9f) with { Nesterov = true } : OptimizerOptions.For(kind);
        var whole = new Optimizer(options, 0.01f, Length);
        var split = new Optimizer(options, 0.01f, Length);
        float[] a = Values(1, 1), b = Values(1, 1);
        for (int s = 0; s < 3; s++)
        {
            var grad = Values(20 + s, 1);
            whole.Apply(a, grad, 0.01, 0.5f);
            foreach (var (first, last) in new[] { (0, 16), (16, 17), (17, Length) })
                split.UpdateRange(b.AsSpan(first, last - first), grad.AsSpan(first, last - first), first, 0.01, 0.5f);
            split.CountStep();
        }
        Assert.Equal(a, b);
        Assert.Equal(whole.Velocity, split.Velocity);
        Assert.Equal(whole.ExpAvg, split.ExpAvg);
        Assert.Equal(whole.ExpAvgSq, split.ExpAvgSq);
    }

    [Fact]
    public void Restored_state_goes_on_as_the_optimizer_it_was_saved_from()
    {
        var options = OptimizerOptions.For(OptimizerKind.AdamW);
        var original = new Optimizer(options, 0.01f, Length);
        float[] a = Values(1, 1);
        for (int s = 0; s < 3; s++) original.Apply(a, Values(30 + s, 1), 0.01, 1f);
        var restored = new Optimizer(options, 0.01f, Length);
        restored.Restore([], Bytes(original.ExpAvg), Bytes(original.ExpAvgSq), original.Steps);
        float[] b = (float[])a.Clone();
        original.Apply(a, Values(40, 1), 0.01, 1f);
        restored.Apply(b, Values(40, 1), 0.01, 1f);
        Assert.Equal(a, b);
        var e = Assert.Throws<ThresherInputException>(() => restored.Restore([], new byte[8], [], 1));
        Assert.Contains("exp_avg has 2 floats", e.Message, StringComparison.Ordinal);
    }

    static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
