namespace Thresher.Core.Tests.Optim;

/// <summary>
/// torch.optim's algorithms as their documentation writes them (pytorch.org/docs/stable/generated/torch.optim.SGD.html,
/// .Adam.html, .AdamW.html), in double, one element at a time: the reference the float kernels are held to.
/// g is the gradient after the clip scale.
/// </summary>
internal sealed class TorchReference(double[] theta)
{
    public double[] Theta { get; } = theta;
    public double[] Buffer { get; } = new double[theta.Length];   // SGD's b
    public double[] M { get; } = new double[theta.Length];
    public double[] V { get; } = new double[theta.Length];
    public int T { get; private set; }

    /// <summary>SGD: g ← g + λθ; b ← g (t = 1) or μb + (1 − τ)g; g ← nesterov ? g + μb : b; θ ← θ − γg.</summary>
    public void Sgd(double[] grad, double lr, double momentum, double dampening, bool nesterov, double weightDecay)
    {
        T++;
        for (int i = 0; i < Theta.Length; i++)
        {
            double g = grad[i];
            if (weightDecay != 0) g += weightDecay * Theta[i];
            if (momentum != 0)
            {
                Buffer[i] = T > 1 ? momentum * Buffer[i] + (1 - dampening) * g : g;
                g = nesterov ? g + momentum * Buffer[i] : Buffer[i];
            }
            Theta[i] -= lr * g;
        }
    }

    /// <summary>
    /// Adam (decoupled false): g ← g + λθ; AdamW (decoupled): θ ← θ − γλθ. Then m ← β1m + (1 − β1)g,
    /// v ← β2v + (1 − β2)g², m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t), θ ← θ − γ·m̂/(√v̂ + ε).
    /// </summary>
    public void Adam(double[] grad, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
    {
        T++;
        for (int i = 0; i < Theta.Length; i++)
        {
            double g = grad[i];
            if (decoupled) Theta[i] -= lr * weightDecay * Theta[i];
            else g += weightDecay * Theta[i];
            M[i] = beta1 * M[i] + (1 - beta1) * g;
            V[i] = beta2 * V[i] + (1 - beta2) * g * g;
            double mHat = M[i] / (1 - Math.Pow(beta1, T)), vHat = V[i] / (1 - Math.Pow(beta2, T));
            Theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
        }
    }
}
