using MathNet.Numerics.LinearAlgebra;
using Thresher.Core.Model;

namespace Thresher.Core.Tests.Model;

/// <summary>
/// The MLP's mean loss computed in double with MathNet.Numerics matrices: the reference that
/// finite differences are taken on.
/// </summary>
static class DoubleMlpReference
{
    public static double MeanLoss(double[] theta, ParameterLayout layout, float[] x, byte[] labels, int batch, LossKind loss)
    {
        var config = layout.Config;
        var h = Matrix<double>.Build.Dense(batch, config.Inputs, (i, j) => x[i * config.Inputs + j]);
        for (int l = 0; l < config.Depth; l++)
        {
            var ws = layout.Weight(l);
            var bs = layout.Bias(l);
            int k = ws.Shape[0], n = ws.Shape[1];
            var w = Matrix<double>.Build.Dense(k, n, (p, j) => theta[ws.Offset + p * n + j]);
            var z = h * w;
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < n; j++) z[i, j] += theta[bs.Offset + j];
            h = l < config.Depth - 1 ? z.Map(v => Math.Max(v, 0)) : z;
        }
        double total = 0;
        int outputs = config.Outputs;
        for (int i = 0; i < batch; i++)
        {
            if (loss == LossKind.Mse)
            {
                double row = 0;
                for (int j = 0; j < outputs; j++)
                {
                    double d = h[i, j] - (labels[i] == j ? 1 : 0);
                    row += d * d;
                }
                total += row / outputs;
            }
            else
            {
                double max = double.NegativeInfinity;
                for (int j = 0; j < outputs; j++) max = Math.Max(max, h[i, j]);
                double z = 0;
                for (int j = 0; j < outputs; j++) z += Math.Exp(h[i, j] - max);
                total += max + Math.Log(z) - h[i, labels[i]];
            }
        }
        return total / batch;
    }
}
