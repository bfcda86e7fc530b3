namespace Thresher.Core.Kernels;

/// <summary>SGD update kernel. PLACEHOLDER: delegates to the naive twin until the SIMD kernel lands.</summary>
public static class Sgd
{
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, float lr, float momentum, float scale)
        => SgdNaive.Update(theta, grad, velocity, lr, momentum, scale);
}
