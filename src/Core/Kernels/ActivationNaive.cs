namespace Thresher.Core.Kernels;

/// <summary>Reference twins of <see cref="Activation"/> and the bias kernels.</summary>
public static class ActivationNaive
{
    /// <summary>y[m,n] += b[n].</summary>
    public static void BiasAdd(Span<float> y, ReadOnlySpan<float> b, int m, int n)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) y[i * n + j] += b[j];
    }

    /// <summary>dB[n] (+)= Σ_i dY[i,n].</summary>
    public static void BiasGradient(Span<float> dB, ReadOnlySpan<float> dY, int m, int n, bool accumulate = false)
    {
        for (int j = 0; j < n; j++)
        {
            float s = accumulate ? dB[j] : 0f;
            for (int i = 0; i < m; i++) s += dY[i * n + j];
            dB[j] = s;
        }
    }

    /// <summary>y = max(x, 0) element-wise (y may alias x). NaN stays NaN.</summary>
    public static void ReluForward(Span<float> y, ReadOnlySpan<float> x)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] < 0f ? 0f : x[i];
    }

    /// <summary>dX = y &gt; 0 ? dY : 0, where y is the ReLU output (dX may alias dY).</summary>
    public static void ReluBackward(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> y)
    {
        for (int i = 0; i < dY.Length; i++) dX[i] = y[i] > 0f ? dY[i] : 0f;
    }

    /// <summary>Fused: y[m,n] = max(y[m,n] + b[n], 0).</summary>
    public static void BiasReluForward(Span<float> y, ReadOnlySpan<float> b, int m, int n)
    {
        BiasAdd(y, b, m, n);
        ReluForward(y, y);
    }

    /// <summary>Fused: dY[m,n] masked in place by y &gt; 0, then dB[n] (+)= Σ_i dY[i,n].</summary>
    public static void ReluBiasBackward(Span<float> dB, Span<float> dY, ReadOnlySpan<float> y, int m, int n, bool accumulate = false)
    {
        ReluBackward(dY, dY, y);
        BiasGradient(dB, dY, m, n, accumulate);
    }
}
