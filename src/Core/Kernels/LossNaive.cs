namespace Thresher.Core.Kernels;

/// <summary>
/// Reference twins of <see cref="Loss"/>. Both return the loss summed over the m rows (in double) and write
/// dLogits = gradScale · ∂(per-row loss)/∂logits; gradScale = 1/m gives the gradient of the mean loss.
/// </summary>
public static class LossNaive
{
    /// <summary>Per row: (1/n) Σ_j (logits[i,j] − onehot(label_i)[j])², the tutorial's MSE (mean over classes).</summary>
    public static double MseOneHot(Span<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int m, int n, float gradScale)
    {
        double sum = 0;
        float g = 2f / n * gradScale;
        for (int i = 0; i < m; i++)
        {
            double row = 0;
            for (int j = 0; j < n; j++)
            {
                float d = logits[i * n + j] - (labels[i] == j ? 1f : 0f);
                row += (double)d * d;
                dLogits[i * n + j] = g * d;
            }
            sum += row / n;
        }
        return sum;
    }

    /// <summary>Per row: logsumexp(logits_i) − logits[i, label_i]; gradient softmax − onehot.</summary>
    public static double SoftmaxCrossEntropy(Span<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int m, int n, float gradScale)
    {
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            float max = float.NegativeInfinity;
            for (int j = 0; j < n; j++) max = MathF.Max(max, logits[i * n + j]);
            double z = 0;
            for (int j = 0; j < n; j++) z += Math.Exp(logits[i * n + j] - max);
            double logZ = max + Math.Log(z);
            sum += logZ - logits[i * n + labels[i]];
            for (int j = 0; j < n; j++)
            {
                double p = Math.Exp(logits[i * n + j] - logZ);
                dLogits[i * n + j] = (float)(p - (labels[i] == j ? 1.0 : 0.0)) * gradScale;
            }
        }
        return sum;
    }
}
