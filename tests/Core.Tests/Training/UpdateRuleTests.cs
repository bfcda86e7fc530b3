using Thresher.Core.Kernels;
using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Optim;
using Thresher.Core.Tests.Ops;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

public sealed class UpdateRuleTests
{
    static readonly ParameterLayout Layout = new(new MlpConfig([5, 4, 3]));

    static float[] Random(int seed, float scale)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, Layout.TotalLength).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale)];
    }

    [Fact]
    public void A_clipped_step_equals_tensorflow_clip_then_sgd()
    {
        var theta = Random(1, 1);
        var gradient = Random(2, 10); // norm well above 1
        var expected = (float[])theta.Clone();
        var clipped = ClipOps.ClipByGlobalNorm([new Tensor((float[])gradient.Clone(), gradient.Length)], 1f).Clipped[0].Data;
        for (int i = 0; i < expected.Length; i++) expected[i] -= 0.5f * clipped[i];

        var before = (float[])theta.Clone();

        var rule = new UpdateRule(Layout, Optimizer.Sgd(0.5f, 0, theta.Length), 1f, NonFinitePolicy.Skip);
        var stats = rule.Apply(theta, gradient, step: 0, meanLoss: 1);
        Assert.True(stats.Clipped);
        Assert.Equal(1.0, stats.ClippedNorm, 12);
        Assert.Equal(expected, theta);
        // The norms against a plain double loop (not ClipOps, which the rule itself uses): per tensor in layout
        // order, and the global norm over the whole gradient.
        var slices = Layout.Slices.Select(s => s.Of(gradient).ToArray()).ToArray();
        Assert.Equal(slices.Length, stats.TensorNorms.Length);
        for (int t = 0; t < slices.Length; t++)
            ReferenceMath.AssertClose(ReferenceMath.Norm(slices[t]), stats.TensorNorms[t], 1e-12, $"norm of tensor {t}");
        ReferenceMath.AssertClose(ReferenceMath.Norm(gradient), stats.GlobalNorm, 1e-12, "global norm");
        // Clipped to norm 1 with lr 0.5, θ moved by 0.5 in L2.
        ReferenceMath.AssertClose(0.5, ReferenceMath.Norm([.. before.Select((b, i) => b - theta[i])]), 1e-5, "length of the step");
    }

    [Fact]
    public void Below_the_clip_norm_the_update_is_plain_sgd()
    {
        var theta = Random(3, 1);
        var gradient = Random(4, 0.001f);
        var expected = (float[])theta.Clone();
        SgdNaive.Update(expected, gradient, [], 0.1f, 0, 1f);
        var stats = new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0, theta.Length), 15f, NonFinitePolicy.Skip).Apply(theta, gradient, 0, 1);
        Assert.False(stats.Clipped);
        Assert.Equal(1f, stats.ClipScale);
        Assert.Equal(expected, theta);
    }

    [Fact]
    public void Momentum_follows_the_heavy_ball_formula()
    {
        var theta = Random(5, 1);
        var expected = (float[])theta.Clone();
        var velocity = new float[theta.Length];
        var rule = new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0.9f, theta.Length), null, NonFinitePolicy.Skip);
        for (int step = 0; step < 3; step++)
        {
            var gradient = Random(10 + step, 1);
            SgdNaive.Update(expected, gradient, velocity, 0.1f, 0.9f, 1f);
            rule.Apply(theta, gradient, step, 1);
        }
        for (int i = 0; i < theta.Length; i++) Assert.Equal(expected[i], theta[i], 1e-6f);
        Assert.Equal(velocity, rule.Optimizer.Velocity, new FloatTolerance(1e-6f));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_gradient_is_skipped_and_never_applied(float bad)
    {
        var theta = Random(6, 1);
        var before = (float[])theta.Clone();
        var gradient = Random(7, 1);
        gradient[3] = bad;
        var rule = new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0.9f, theta.Length), 15f, NonFinitePolicy.Skip);
        var stats = rule.Apply(theta, gradient, 4, double.NaN);
        Assert.True(stats.Skipped);
        Assert.False(double.IsFinite(stats.GlobalNorm));
        Assert.Equal(before, theta);
        Assert.All(rule.Optimizer.Velocity, v => Assert.Equal(0f, v));

        var abort = new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0, theta.Length), 15f, NonFinitePolicy.Abort);
        var e = Assert.Throws<NonFiniteGradientException>(() => abort.Apply(theta, gradient, 4, double.NaN));
        Assert.Contains("step 4", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, theta);
    }

    sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
