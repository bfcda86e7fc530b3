using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Optim;

/// <summary>Keras clipnorm (tf.clip_by_norm per tensor) written out by hand, and the update it folds into.</summary>
public sealed class PerTensorClipTests
{
    [Fact]
    public void Each_tensor_is_scaled_to_at_most_c_on_its_own()
    {
        var d = new PerTensorClip(3.5f).Decide([3, 4, 0], 5);
        Assert.Equal([1f, 3.5f / 4f, 1f], d.TensorScales!);
        Assert.Equal(Math.Sqrt(3 * 3 + 3.5 * 3.5), d.ClippedNorm, 14);
        Assert.Equal(3.5, d.Threshold);
        Assert.True(d.Clipped);
    }

    [Fact]
    public void The_update_uses_each_tensors_scale()
    {
        var layout = new ParameterLayout(new MlpConfig([2, 1])); // w1 [2, 1], b1 [1]
        var rule = new UpdateRule(layout, new SgdOptimizer(0.5f, 0, layout.TotalLength), 1f, NonFinitePolicy.Skip,
            new ClipPolicyOptions { Kind = ClipPolicyKind.PerTensor });
        float[] theta = [1, 1, 1];
        float[] g = [3, 4, 0.5f];                                // ‖w1‖ 5 → scale 1/5; ‖b1‖ 0.5 → 1
        var stats = rule.Apply(theta, g, 0, 1);
        double[] expected = [1 - 0.5 * 3 / 5, 1 - 0.5 * 4 / 5, 1 - 0.5 * 0.5];
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], theta[i], 1e-6);
        Assert.Equal(Math.Sqrt(1 + 0.25), stats.ClippedNorm, 14);
        Assert.Equal(1.0, stats.ClipThreshold);
    }

    [Fact]
    public void A_non_finite_norm_gives_scale_NaN_and_the_step_is_skipped()
    {
        var layout = new ParameterLayout(new MlpConfig([2, 1]));
        var rule = new UpdateRule(layout, new SgdOptimizer(0.5f, 0, layout.TotalLength), 1f, NonFinitePolicy.Skip,
            new ClipPolicyOptions { Kind = ClipPolicyKind.PerTensor });
        float[] theta = [1, 1, 1];
        var stats = rule.Apply(theta, [float.NaN, 0, 0], 0, 1);
        Assert.True(stats.Skipped);
        Assert.Equal([1f, 1f, 1f], theta);
    }
}
