namespace Thresher.Core.Kernels;

/// <summary>Reference twin of <see cref="Adam"/> (and its scalar tail).</summary>
public static class AdamNaive
{
    /// <summary>
    /// torch.optim.Adam/AdamW per element: θ ← θ·decay; d = s·g + l2·θ; m ← m + (1 − β1)·(d − m);
    /// v ← β2·v + (1 − β2)·d·d; θ ← θ − stepSize·m / (√v / √(1 − β2^t) + ε).
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in AdamStep s)
    {
        float oneMinusBeta1 = 1f - s.Beta1, oneMinusBeta2 = 1f - s.Beta2;
        for (int i = 0; i < theta.Length; i++)
        {
            float t = theta[i] * s.Decay;
            float d = s.Scale * grad[i] + s.L2 * t;
            float m = expAvg[i];
            m += oneMinusBeta1 * (d - m);
            float v = s.Beta2 * expAvgSq[i] + oneMinusBeta2 * d * d;
            expAvg[i] = m;
            expAvgSq[i] = v;
            float denom = MathF.Sqrt(v) / s.Bias2Sqrt + s.Eps;
            theta[i] = t - s.StepSize * (m / denom);
        }
    }
}
