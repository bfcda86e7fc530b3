namespace Thresher.Core.Kernels;

/// <summary>Bias and ReLU kernels, plain and fused. PLACEHOLDER: delegates to the naive twin until the SIMD kernels land.</summary>
public static class Activation
{
    public static void BiasAdd(Span<float> y, ReadOnlySpan<float> b, int m, int n) => ActivationNaive.BiasAdd(y, b, m, n);
    public static void BiasGradient(Span<float> dB, ReadOnlySpan<float> dY, int m, int n, bool accumulate = false) => ActivationNaive.BiasGradient(dB, dY, m, n, accumulate);
    public static void ReluForward(Span<float> y, ReadOnlySpan<float> x) => ActivationNaive.ReluForward(y, x);
    public static void ReluBackward(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> y) => ActivationNaive.ReluBackward(dX, dY, y);
    public static void BiasReluForward(Span<float> y, ReadOnlySpan<float> b, int m, int n) => ActivationNaive.BiasReluForward(y, b, m, n);
    public static void ReluBiasBackward(Span<float> dB, Span<float> dY, ReadOnlySpan<float> y, int m, int n, bool accumulate = false) => ActivationNaive.ReluBiasBackward(dB, dY, y, m, n, accumulate);
}
