using Thresher.Core.Model;

namespace Thresher.Core.Tests.Model;

public sealed class MlpGradientTests
{
    static (MlpConfig Config, float[] Theta, float[] X, byte[] Labels) SmallProblem(int seed, int batch, InitKind init = InitKind.He)
    {
        var config = new MlpConfig([7, 6, 5, 4]);
        var layout = new ParameterLayout(config);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, init, seed);
        var rng = new Random(seed);
        // Non-zero biases so the bias gradient paths are exercised away from the ReLU kink.
        foreach (var slice in layout.Slices.Where(s => s.Name.StartsWith('b')))
            for (int i = 0; i < slice.Length; i++) theta[slice.Offset + i] = (float)(rng.NextDouble() * 0.2 - 0.1);
        var x = new float[batch * config.Inputs];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var labels = new byte[batch];
        for (int i = 0; i < batch; i++) labels[i] = (byte)rng.Next(config.Outputs);
        return (config, theta, x, labels);
    }

    [Theory]
    [InlineData(LossKind.Mse, 1)]
    [InlineData(LossKind.Mse, 2)]
    [InlineData(LossKind.CrossEntropy, 3)]
    [InlineData(LossKind.CrossEntropy, 4)]
    public void Gradient_matches_central_finite_differences_in_double(LossKind loss, int seed)
    {
        const int batch = 5;
        var (config, theta, x, labels) = SmallProblem(seed, batch);
        var mlp = new Mlp(config, batch);
        var grad = new float[theta.Length];
        double lossSum = mlp.Gradient(grad, theta, x, labels, batch, loss, 1f / batch);

        var thetaD = theta.Select(v => (double)v).ToArray();
        double reference = DoubleMlpReference.MeanLoss(thetaD, mlp.Layout, x, labels, batch, loss);
        Assert.Equal(reference, lossSum / batch, 5);

        const double eps = 1e-6;
        double maxGrad = grad.Max(Math.Abs);
        for (int i = 0; i < theta.Length; i++)
        {
            double saved = thetaD[i];
            thetaD[i] = saved + eps;
            double up = DoubleMlpReference.MeanLoss(thetaD, mlp.Layout, x, labels, batch, loss);
            thetaD[i] = saved - eps;
            double down = DoubleMlpReference.MeanLoss(thetaD, mlp.Layout, x, labels, batch, loss);
            thetaD[i] = saved;
            double numeric = (up - down) / (2 * eps);
            double tolerance = 1e-4 * maxGrad + 1e-4 * Math.Abs(numeric);
            Assert.True(Math.Abs(numeric - grad[i]) <= tolerance,
                $"{loss} θ[{i}] ({SliceName(mlp.Layout, i)}): analytic {grad[i]:G9}, numeric {numeric:G9}");
        }
    }

    [Fact]
    public void Gradient_scale_is_linear_so_summed_and_mean_gradients_agree()
    {
        const int batch = 6;
        var (config, theta, x, labels) = SmallProblem(7, batch);
        var mlp = new Mlp(config, batch);
        var mean = new float[theta.Length];
        var sum = new float[theta.Length];
        double lossMean = mlp.Gradient(mean, theta, x, labels, batch, LossKind.CrossEntropy, 1f / batch);
        double lossSum = mlp.Gradient(sum, theta, x, labels, batch, LossKind.CrossEntropy, 1f);
        Assert.Equal(lossMean, lossSum);
        for (int i = 0; i < theta.Length; i++) Assert.Equal(sum[i] / batch, mean[i], 1e-6f);
    }

    [Fact]
    public void Gradient_of_a_batch_is_the_sum_of_its_parts()
    {
        // What makes data parallelism exact: g(batch) = g(part 1) + g(part 2) for summed-loss gradients.
        const int batch = 8;
        var (config, theta, x, labels) = SmallProblem(11, batch);
        var mlp = new Mlp(config, batch);
        var whole = new float[theta.Length];
        var first = new float[theta.Length];
        var second = new float[theta.Length];
        double lossWhole = mlp.Gradient(whole, theta, x, labels, batch, LossKind.Mse, 1f);
        double loss1 = mlp.Gradient(first, theta, x.AsSpan(0, 3 * config.Inputs), labels.AsSpan(0, 3), 3, LossKind.Mse, 1f);
        double loss2 = mlp.Gradient(second, theta, x.AsSpan(3 * config.Inputs), labels.AsSpan(3), 5, LossKind.Mse, 1f);
        Assert.Equal(lossWhole, loss1 + loss2, 10);
        for (int i = 0; i < theta.Length; i++) Assert.Equal(whole[i], first[i] + second[i], 1e-5f);
    }

    [Fact]
    public void CountCorrect_counts_argmax_hits()
    {
        // A 2-2 identity network: the logits are the inputs, so the arg-max is known.
        var config = new MlpConfig([2, 2]);
        var layout = new ParameterLayout(config);
        var theta = new float[layout.TotalLength];
        theta[0] = 1; theta[3] = 1; // w1 = I, b1 = 0
        var mlp = new Mlp(config, 3);
        float[] x = [1, 0, 0, 1, 3, 2];
        byte[] labels = [0, 0, 0];
        Assert.Equal(2, mlp.CountCorrect(theta, x, labels, 3));
    }

    static string SliceName(ParameterLayout layout, int index)
        => layout.Slices.Last(s => s.Offset <= index).Name;
}
