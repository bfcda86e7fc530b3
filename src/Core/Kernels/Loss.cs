namespace Thresher.Core.Kernels;

/// <summary>Loss kernels (forward value summed over rows + gradient). PLACEHOLDER: delegates to the naive twin until the SIMD kernels land.</summary>
public static class Loss
{
    public static double MseOneHot(Span<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int m, int n, float gradScale)
        => LossNaive.MseOneHot(dLogits, logits, labels, m, n, gradScale);

    public static double SoftmaxCrossEntropy(Span<float> dLogits, ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int m, int n, float gradScale)
        => LossNaive.SoftmaxCrossEntropy(dLogits, logits, labels, m, n, gradScale);
}
