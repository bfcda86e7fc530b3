using ILGPU;
using ILGPU.Algorithms;

namespace Thresher.Gpu;

/// <summary>
/// The non-GEMM kernels of a step, one thread per element (or per row, or per column chunk). Semantics follow
/// Core's SIMD kernels: ReLU is x &lt; 0 ? 0 : x (NaN passes through), its mask is y &gt; 0.
/// Dimension letters: m = batch rows, n = layer width, f = input features.
/// </summary>
internal static class ElementKernels
{
    /// <summary>x[r, f] = pixels[rows[r], f] / inputScale; labelsOut[r] = labels[rows[r]]. One thread per x element.</summary>
    public static void Gather(Index1D i, ArrayView<float> x, ArrayView<byte> labelsOut, ArrayView<byte> pixels, ArrayView<byte> labels, ArrayView<int> rows, int features, float inputScale)
    {
        int r = i / features, f = i - r * features;
        long source = rows[r];
        x[i] = pixels[source * features + f] / inputScale;
        if (f == 0) labelsOut[r] = labels[source];
    }

    /// <summary>y[m,n] = max(y + b[n], 0) (fused bias + ReLU). One thread per element.</summary>
    public static void BiasReluForward(Index1D i, ArrayView<float> y, ArrayView<float> b, int n)
    {
        float v = y[i] + b[i % n];
        y[i] = v < 0f ? 0f : v;
    }

    /// <summary>y[m,n] += b[n]. One thread per element.</summary>
    public static void BiasAdd(Index1D i, ArrayView<float> y, ArrayView<float> b, int n) => y[i] += b[i % n];

    /// <summary>
    /// Fused ReLU backward + bias-gradient partial sums over row chunks. Thread (j, c) walks rows
    /// c·chunkRows … of column j: when relu ≠ 0, dY[r,j] is masked in place by y[r,j] &gt; 0; then
    /// partial[c, j] = Σ dY[r,j] over the chunk. <see cref="ColumnSum"/> finishes dB.
    /// </summary>
    public static void ReluBiasPartial(Index2D index, ArrayView<float> partial, ArrayView<float> dY, ArrayView<float> y, int m, int n, int chunkRows, int relu)
    {
        int j = index.X, c = index.Y;
        int end = XMath.Min(m, (c + 1) * chunkRows);
        float sum = 0f;
        for (int r = c * chunkRows; r < end; r++)
        {
            int at = r * n + j;
            float g = dY[at];
            if (relu != 0)
            {
                g = y[at] > 0f ? g : 0f;
                dY[at] = g;
            }
            sum += g;
        }
        partial[c * n + j] = sum;
    }

    /// <summary>dB[n] = Σ_c partial[c, n], chunks in order (deterministic). One thread per column.</summary>
    public static void ColumnSum(Index1D j, ArrayView<float> dB, ArrayView<float> partial, int chunks, int n)
    {
        float sum = 0f;
        for (int c = 0; c < chunks; c++) sum += partial[c * n + j];
        dB[j] = sum;
    }

    /// <summary>
    /// MSE on one-hot, per row i: rowLoss[i] = (1/n) Σ_j d², d = logits − onehot; dLogits = (2/n)·gradScale·d.
    /// One thread per row.
    /// </summary>
    public static void MseOneHot(Index1D i, ArrayView<float> dLogits, ArrayView<double> rowLoss, ArrayView<float> logits, ArrayView<byte> labels, int n, float gradScale)
    {
        float g = 2f / n * gradScale;
        int label = labels[i], start = i * n;
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            float d = j == label ? logits[start + j] - 1f : logits[start + j];
            sum += (double)d * d;
            dLogits[start + j] = g * d;
        }
        rowLoss[i] = sum / n;
    }

    /// <summary>
    /// Softmax cross-entropy per row i: rowLoss[i] = max + log Σ exp(l − max) − l[label];
    /// dLogits = gradScale · (softmax − onehot). Exponentials in double, as the CPU kernel. One thread per row.
    /// </summary>
    public static void SoftmaxCrossEntropy(Index1D i, ArrayView<float> dLogits, ArrayView<double> rowLoss, ArrayView<float> logits, ArrayView<byte> labels, int n, float gradScale)
    {
        int label = labels[i], start = i * n;
        float max = logits[start];
        for (int j = 1; j < n; j++) max = XMath.Max(max, logits[start + j]);
        double z = 0;
        for (int j = 0; j < n; j++) z += XMath.Exp((double)(logits[start + j] - max));
        rowLoss[i] = max + XMath.Log(z) - logits[start + label];
        double invZ = 1.0 / z;
        for (int j = 0; j < n; j++)
        {
            double p = XMath.Exp((double)(logits[start + j] - max)) * invZ;
            dLogits[start + j] = (float)(p - (j == label ? 1.0 : 0.0)) * gradScale;
        }
    }

    /// <summary>
    /// Row i of logits[m, n] is right when its arg-max (the first largest, as Core's <c>Mlp.CountCorrect</c>) is its
    /// label: then correct[0] += 1 (atomic; the count does not depend on the order).
    /// </summary>
    public static void CountCorrect(int i, ArrayView<int> correct, ArrayView<float> logits, ArrayView<byte> labels, int n)
    {
        int row = i * n, best = 0;
        for (int j = 1; j < n; j++) if (logits[row + j] > logits[row + best]) best = j;
        if (best == labels[i]) Atomic.Add(ref correct[0], 1);
    }

    /// <summary>
    /// total[0] = Σ_i values[i], i &lt; count, by one group: strided partial sums, then a tree in shared memory
    /// (dynamic, one double per thread; the group size must be a power of two). Deterministic.
    /// </summary>
    public static void SumRows(ArrayView<double> total, ArrayView<double> values, int count)
    {
        var shared = SharedMemory.GetDynamic<double>();
        int t = Group.IdxX, size = Group.DimX;
        double sum = 0;
        for (int i = t; i < count; i += size) sum += values[i];
        shared[t] = sum;
        Group.Barrier();
        for (int half = size / 2; half > 0; half /= 2)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        if (t == 0) total[0] = shared[0];
    }
}
