namespace Thresher.Core.Kernels;

/// <summary>
/// The three matrix products of an MLP training step, row-major, float32.
/// m = batch rows, k = layer input width, n = layer output width.
/// PLACEHOLDER: delegates to the naive twin until the SIMD kernels land.
/// </summary>
public static class Gemm
{
    /// <summary>y[m,n] (+)= x[m,k] · w[k,n].</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate = false, int threads = 1)
        => GemmNaive.Forward(y, x, w, m, k, n, accumulate);

    /// <summary>dW[k,n] (+)= xᵀ[k,m] · dY[m,n].</summary>
    public static void WeightGradient(Span<float> dW, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int m, int k, int n, bool accumulate = false, int threads = 1)
        => GemmNaive.WeightGradient(dW, x, dY, m, k, n, accumulate);

    /// <summary>dX[m,k] (+)= dY[m,n] · wᵀ[n,k].</summary>
    public static void InputGradient(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate = false, int threads = 1)
        => GemmNaive.InputGradient(dX, dY, w, m, k, n, accumulate);
}
