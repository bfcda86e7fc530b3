namespace Thresher.Core.Kernels;

/// <summary>
/// Reference twins of <see cref="Gemm"/>: plain triple loops in row-major order, accumulating in float
/// in the same k order as the fast kernels. Tests compare the fast kernels against these.
/// Shapes use m = rows of the batch, k = input width, n = output width.
/// </summary>
public static class GemmNaive
{
    /// <summary>y[m,n] (+)= x[m,k] · w[k,n].</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate = false)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float s = accumulate ? y[i * n + j] : 0f;
                for (int p = 0; p < k; p++) s += x[i * k + p] * w[p * n + j];
                y[i * n + j] = s;
            }
        }
    }

    /// <summary>dW[k,n] (+)= xᵀ[k,m] · dY[m,n].</summary>
    public static void WeightGradient(Span<float> dW, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int m, int k, int n, bool accumulate = false)
    {
        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                float s = accumulate ? dW[p * n + j] : 0f;
                for (int i = 0; i < m; i++) s += x[i * k + p] * dY[i * n + j];
                dW[p * n + j] = s;
            }
        }
    }

    /// <summary>dX[m,k] (+)= dY[m,n] · wᵀ[n,k].</summary>
    public static void InputGradient(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate = false)
    {
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                float s = accumulate ? dX[i * k + p] : 0f;
                for (int j = 0; j < n; j++) s += dY[i * n + j] * w[p * n + j];
                dX[i * k + p] = s;
            }
        }
    }
}
