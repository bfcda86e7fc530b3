using Thresher.Core.Model;
using Thresher.Core.Optim.Clipping;

namespace Thresher.Core.Tests.Optim;

/// <summary>
/// AGC on a 3-2-2 MLP (w1 [3, 2], b1 [2], w2 [2, 2], b2 [2]; unit i = column i of w plus b[i]) against
/// G_i · λ·max(‖W_i‖, 1e-3) / ‖G_i‖ computed by hand in double.
/// </summary>
public sealed class AdaptiveGradientClipTests
{
    static readonly ParameterLayout Layout = new(new MlpConfig([3, 2, 2]));

    //                        w1 (rows j, columns = units)   b1        w2               b2
    static readonly float[] Theta = [1, 0, 0, 1e-4f, 0, 0,   2, 0,     1, 0, 0, 1,      0, 0];
    static readonly float[] Gradient = [0.3f, 1e-3f, 0.4f, 0, 0, 0, 0, 1e-3f, 5, 0, 0, 5, 1, 1];

    [Fact]
    public void Each_unit_of_a_hidden_layer_is_capped_at_lambda_times_its_weights_norm_with_its_bias()
    {
        var agc = new AdaptiveGradientClip(Layout, lambda: 0.1, includeLast: false);
        var g = (float[])Gradient.Clone();
        double post = agc.ScaleUnits(g, Theta);

        double unit0 = 0.1 * Math.Sqrt(1 + 2 * 2) / Math.Sqrt(0.3 * 0.3 + 0.4 * 0.4);        // ‖W_0‖ = √(1² + b 2²); ‖G_0‖ = 0.5
        double unit1 = 0.1 * 1e-3 / Math.Sqrt(1e-3 * 1e-3 + 1e-3 * 1e-3);                    // ‖W_1‖ = 1e-4 < ε = 1e-3
        float[] expected = [(float)(0.3 * unit0), (float)(1e-3 * unit1), (float)(0.4 * unit0), 0, 0, 0, 0, (float)(1e-3 * unit1), 5, 0, 0, 5, 1, 1];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], g[i], 1e-6f * Math.Max(1, Math.Abs(expected[i])));
        Assert.Equal(Math.Sqrt(g.Sum(x => (double)x * x)), post, 12);
    }

    [Fact]
    public void The_output_layer_is_clipped_only_when_asked()
    {
        var agc = new AdaptiveGradientClip(Layout, lambda: 0.1, includeLast: true);
        var g = (float[])Gradient.Clone();
        agc.ScaleUnits(g, Theta);
        double scale = 0.1 * 1 / Math.Sqrt(5 * 5 + 1);                                        // each output unit: ‖W_i‖ 1, ‖G_i‖ √26
        Assert.Equal((float)(5 * scale), g[8], 1e-6f);
        Assert.Equal((float)(1 * scale), g[12], 1e-7f);
        Assert.Equal(0f, g[9]);
    }

    [Fact]
    public void Units_within_their_bound_are_left_exactly_as_they_were()
    {
        var agc = new AdaptiveGradientClip(Layout, lambda: 1000, includeLast: true);
        var g = (float[])Gradient.Clone();
        agc.ScaleUnits(g, Theta);
        Assert.Equal(Gradient, g);
    }

    [Fact]
    public void The_decision_before_the_pass_folds_nothing_and_reports_lambda()
    {
        var agc = new AdaptiveGradientClip(Layout, lambda: 0.01, includeLast: false);
        var d = agc.Decide([1, 2, 3, 4], 5);
        Assert.Equal(1f, d.Scale);
        Assert.Equal(0.01, d.Threshold);
        Assert.True(float.IsNaN(agc.Decide([1, 2, 3, 4], double.NaN).Scale));
        Assert.Empty(agc.SaveState());
    }
}
