using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

namespace Thresher.Core.Kernels;

/// <summary>
/// Loss kernels over logits[m,n] and byte labels[m]: each returns the loss summed over the m rows (in
/// double) and writes dLogits[m,n] = gradScale · ∂(row loss)/∂logits (gradScale = 1/m: mean-loss gradient).
/// n is the class count (10 here), so each row is short: a scalar pass per row, sums in double.
/// </summary>
public static class Loss
{
    /// <summary>Per row: (1/n) Σ_j (logits[i,j] − onehot(label_i)[j])², the tutorial's MSE (mean over classes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    public static double MseOneHot(Span<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int m, int n, float gradScale)
    {
        Check(nameof(Loss) + "." + nameof(MseOneHot), dLogits, logits, labels, m, n);
        double sum = 0;
        float g = 2f / n * gradScale;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * n, n);
            Span<float> dRow = dLogits.Slice(i * n, n);
            int label = labels[i];
            double rowSum = 0;
            for (int j = 0; j < row.Length; j++)
            {
                float d = j == label ? row[j] - 1f : row[j];
                rowSum += (double)d * d;
                dRow[j] = g * d;
            }
            sum += rowSum / n;
        }
        return sum;
    }

    /// <summary>
    /// Per row: logsumexp(logits_i) − logits[i, label_i]; gradient softmax − onehot. The row max is
    /// subtracted before exponentiating (no overflow for any finite logits); exponentials are taken once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    public static double SoftmaxCrossEntropy(Span<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int m, int n, float gradScale)
    {
        Check(nameof(Loss) + "." + nameof(SoftmaxCrossEntropy), dLogits, logits, labels, m, n);
        const int StackLimit = 256;
        Span<double> e = n <= StackLimit ? stackalloc double[StackLimit] : new double[n];
        e = e[..n];
        double sum = 0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * n, n);
            Span<float> dRow = dLogits.Slice(i * n, n);
            int label = labels[i];
            float max = TensorPrimitives.Max(row);
            double z = 0;
            for (int j = 0; j < row.Length; j++)
            {
                double ej = Math.Exp(row[j] - max);
                e[j] = ej;
                z += ej;
            }
            sum += max + Math.Log(z) - row[label];
            double invZ = 1.0 / z;
            for (int j = 0; j < dRow.Length; j++)
                dRow[j] = (float)(e[j] * invZ - (j == label ? 1.0 : 0.0)) * gradScale;
        }
        return sum;
    }

    private static void Check(string name, ReadOnlySpan<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int m, int n)
    {
        KernelThrow.CheckShape(name, m, n);
        KernelThrow.CheckLength(name, nameof(logits), logits.Length, m, n, "logits[m,n]");
        KernelThrow.CheckLength(name, nameof(dLogits), dLogits.Length, m, n, "dLogits[m,n]");
        KernelThrow.CheckLength(name, nameof(labels), labels.Length, m);
        if (n > byte.MaxValue) return;
        int bad = labels[..m].IndexOfAnyInRange((byte)n, byte.MaxValue);
        if (bad >= 0) KernelThrow.ThrowLabel(name, bad, labels[bad], n);
    }
}
