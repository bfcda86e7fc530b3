using Thresher.Core.Kernels;

namespace Thresher.Core.Optim;

/// <summary>
/// SGD with optional heavy-ball momentum (momentum 0 is plain SGD; a parameter, not a subclass):
/// v ← μ·v + s·g; θ ← θ − lr·v, where s is the clip scale folded into the update.
/// </summary>
public sealed class SgdOptimizer
{
    public SgdOptimizer(float learningRate, float momentum, int length)
    {
        if (!(learningRate > 0) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be a finite number > 0");
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");
        LearningRate = learningRate;
        Momentum = momentum;
        Velocity = momentum > 0 ? new float[length] : [];
    }

    public float LearningRate { get; }

    public float Momentum { get; }

    /// <summary>Optimizer state (layout order); empty when momentum is 0. Checkpointed with θ.</summary>
    public float[] Velocity { get; }

    /// <summary>θ −= lr·(scale·g) (or the momentum form). g must be finite.</summary>
    public void Apply(Span<float> theta, ReadOnlySpan<float> grad, float scale)
        => Sgd.Update(theta, grad, Velocity, LearningRate, Momentum, scale);
}
