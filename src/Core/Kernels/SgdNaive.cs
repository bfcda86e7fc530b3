namespace Thresher.Core.Kernels;

/// <summary>Reference twin of <see cref="Sgd"/> (and its scalar tail).</summary>
public static class SgdNaive
{
    /// <summary>
    /// torch.optim.SGD per element: d = s·g (+ wd·θ); with momentum μ: v = d on the first step, else
    /// v = μ·v + (1 − dampening)·d; d = nesterov ? d + μ·v : v; θ −= lr·d. With μ 0 the velocity may be empty.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, in SgdStep s)
    {
        float keep = 1f - s.Dampening;
        for (int i = 0; i < theta.Length; i++)
        {
            float d = s.Scale * grad[i];
            if (s.WeightDecay != 0f) d += s.WeightDecay * theta[i];
            if (s.Momentum != 0f)
            {
                float v = s.First ? d : s.Momentum * velocity[i] + keep * d;
                velocity[i] = v;
                d = s.Nesterov ? d + s.Momentum * v : v;
            }
            theta[i] -= s.LearningRate * d;
        }
    }

    /// <summary>Plain or heavy-ball SGD: v = μ·v + s·g; θ −= lr·v (no dampening, nesterov or decay).</summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, float lr, float momentum, float scale)
        => Update(theta, grad, velocity, new SgdStep(lr, momentum, 0f, false, 0f, scale, false));
}
