using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// Parts of a product that give, together, the same bits as the whole call: what a worker needs to start on θ
/// before all of it has arrived and to send its gradient before all of it is computed.
/// <list type="bullet">
/// <item><see cref="ForwardKBlock"/>: y (+)= x[:, k0..k1) · w[k0..k1, :] over one of the k blocks the blocked driver
/// cuts k into (<see cref="KBlocks"/>). The driver adds each block's product to y in block order, with accumulators
/// that start at zero, so the blocks called one by one in order are the whole call's sums exactly.</item>
/// <item><see cref="WeightGradientRows"/>: rows r0..r1 of dW = xᵀ · dY. A row of dW sums over the batch only, and
/// that sum's blocks do not depend on which rows a call covers, so any row split gives the same bits.</item>
/// </list>
/// </summary>
public static unsafe partial class Gemm
{
    /// <summary>The k blocks of a product with inner dimension k, as boundaries 0 = b0 &lt; b1 &lt; … &lt; bn = k (near-equal, ≤ 256).</summary>
    public static int[] KBlocks(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int step = GemmBlocked.KcStep(k);
        var bounds = new List<int> { 0 };
        for (int pc = 0; pc < k; pc += step) bounds.Add(Math.Min(k, pc + step));
        return [.. bounds];
    }

    /// <summary>
    /// y[m,n] = (k0 == 0 ? 0 : y) + x[m, k0..k1) · w[k0..k1, n], where [k0, k1) is one of <see cref="KBlocks"/>(k):
    /// calling every block in order equals <see cref="Forward(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool, int)"/> without accumulate, bit for bit.
    /// Only w's rows k0..k1 are read.
    /// </summary>
    public static void ForwardKBlock(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int m, int k, int n, int k0, int k1, int threads = 1)
        => ForwardKBlock(y, x, w, m, k, n, k0, k1, Threads(m, k, n, threads), Vector512.IsHardwareAccelerated);

    internal static void ForwardKBlock(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int m, int k, int n, int k0, int k1, int threads, bool use512, GemmVariant? variant = null)
    {
        const string Name = nameof(Gemm) + "." + nameof(ForwardKBlock);
        KernelThrow.CheckShape(Name, m, k, n, threads);
        KernelThrow.CheckLength(Name, nameof(y), y.Length, m, n, "y[m,n]");
        KernelThrow.CheckLength(Name, nameof(x), x.Length, m, k, "x[m,k]");
        KernelThrow.CheckLength(Name, nameof(w), w.Length, k, n, "w[k,n]");
        CheckBlock(k, k0, k1);
        fixed (float* py = y, px = x, pw = w)
        {
            // C = y[m,n], A = x[m, k0..k1) (row stride k), B = w[k0..k1, n]
            float* a = px + k0, b = pw + (nint)k0 * n;
            int kb = k1 - k0;
            GemmBlocked.Run(py, n, a, k, false, b, n, false, m, n, kb, k0 > 0, threads, use512,
                variant ?? GemmTuner.Choose(a, k, false, b, n, false, m, n, kb, threads, use512));
        }
    }

    /// <summary>dW[r0..r1, n] = x[m, r0..r1)ᵀ · dY[m,n]: rows r0..r1 of <see cref="WeightGradient(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, bool, int)"/>, bit for bit.</summary>
    public static void WeightGradientRows(Span<float> dW, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int m, int k, int n, int r0, int r1, int threads = 1)
        => WeightGradientRows(dW, x, dY, m, k, n, r0, r1, Threads(m, r1 - r0, n, threads), Vector512.IsHardwareAccelerated);

    internal static void WeightGradientRows(Span<float> dW, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int m, int k, int n, int r0, int r1, int threads, bool use512, GemmVariant? variant = null)
    {
        const string Name = nameof(Gemm) + "." + nameof(WeightGradientRows);
        KernelThrow.CheckShape(Name, m, k, n, threads);
        KernelThrow.CheckLength(Name, nameof(dW), dW.Length, k, n, "dW[k,n]");
        KernelThrow.CheckLength(Name, nameof(x), x.Length, m, k, "x[m,k]");
        KernelThrow.CheckLength(Name, nameof(dY), dY.Length, m, n, "dY[m,n]");
        if (r0 < 0 || r1 > k || r0 > r1)
            throw new ArgumentOutOfRangeException(nameof(r0), $"{Name}: rows [{r0}, {r1}) must lie in [0, {k}]");
        fixed (float* pdw = dW, px = x, pdy = dY)
        {
            // C = dW[r0..r1, n], A = x[m, r0..r1)ᵀ (row stride k), B = dY[m,n]; inner dimension m
            float* c = pdw + (nint)r0 * n, a = px + r0;
            int rows = r1 - r0;
            GemmBlocked.Run(c, n, a, k, true, pdy, n, false, rows, n, m, false, threads, use512,
                variant ?? GemmTuner.Choose(a, k, true, pdy, n, false, rows, n, m, threads, use512));
        }
    }

    /// <summary>[k0, k1) is one of <see cref="KBlocks"/>(k), checked without building them (this runs for every block of a streamed step).</summary>
    static void CheckBlock(int k, int k0, int k1)
    {
        int step = GemmBlocked.KcStep(k);
        if (k0 < 0 || k0 >= k || k0 % step != 0 || k1 != Math.Min(k, k0 + step))
            throw new ArgumentOutOfRangeException(nameof(k0), $"Gemm.ForwardKBlock: [{k0}, {k1}) is not one of k = {k}'s blocks ({string.Join(", ", KBlocks(k))})");
    }
}
