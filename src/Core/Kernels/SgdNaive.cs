namespace Thresher.Core.Kernels;

/// <summary>Reference twin of <see cref="Sgd"/>.</summary>
public static class SgdNaive
{
    /// <summary>
    /// v = momentum·v + scale·g; θ −= lr·v. With momentum 0 the velocity buffer may be empty and
    /// θ −= lr·scale·g (plain SGD). scale folds clip_by_global_norm's factor into the update.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> velocity, float lr, float momentum, float scale)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            if (momentum == 0f)
            {
                theta[i] -= lr * (scale * grad[i]);
            }
            else
            {
                velocity[i] = momentum * velocity[i] + scale * grad[i];
                theta[i] -= lr * velocity[i];
            }
        }
    }
}
