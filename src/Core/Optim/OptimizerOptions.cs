using System.Globalization;

namespace Thresher.Core.Optim;

/// <summary>
/// The optimizer's hyper-parameters, PyTorch's names and defaults (the learning rate is the run's, see
/// <see cref="DefaultLearningRate"/>). Fields of the other optimizers are ignored (the CLI refuses them).
/// </summary>
public sealed record OptimizerOptions
{
    /// <summary>sgd, adam or adamw. Default sgd.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Sgd;

    /// <summary>SGD: momentum μ in [0, 1). Default 0 (plain SGD).</summary>
    public float Momentum { get; init; }

    /// <summary>SGD: dampening in [0, 1]; the momentum buffer adds (1 − dampening)·g. Default 0.</summary>
    public float Dampening { get; init; }

    /// <summary>SGD: Nesterov momentum (needs momentum &gt; 0 and dampening 0, as PyTorch). Default false.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Adam/AdamW: β1 in [0, 1). Default 0.9.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam/AdamW: β2 in [0, 1). Default 0.999.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Adam/AdamW: ε added after the square root, finite and &gt; 0. Default 1e-8.</summary>
    public float Eps { get; init; } = 1e-8f;

    /// <summary>Weight decay ≥ 0: L2 added to the gradient (SGD, Adam) or decoupled (AdamW). Default 0 (AdamW 0.01).</summary>
    public float WeightDecay { get; init; }

    /// <summary>PyTorch's defaults for <paramref name="kind"/>: everything 0 except Adam's betas and ε, and AdamW's weight decay 0.01.</summary>
    public static OptimizerOptions For(OptimizerKind kind)
        => new() { Kind = kind, WeightDecay = kind == OptimizerKind.AdamW ? 0.01f : 0f };

    /// <summary>SGD with heavy-ball momentum μ (0: plain SGD).</summary>
    public static OptimizerOptions Sgd(float momentum = 0f) => new() { Momentum = momentum };

    /// <summary>The learning rate when none is given: 0.1 for SGD (this project's default recipe), 1e-3 for Adam/AdamW (PyTorch's).</summary>
    public float DefaultLearningRate => Kind.IsAdam() ? 1e-3f : 0.1f;

    /// <summary>Throws <see cref="ThresherInputException"/> naming the bad value and the accepted range.</summary>
    public void Validate()
    {
        if (Kind.IsAdam())
        {
            Require(Beta1 >= 0 && Beta1 < 1, $"beta1 {Num(Beta1)}: must be in [0, 1)");
            Require(Beta2 >= 0 && Beta2 < 1, $"beta2 {Num(Beta2)}: must be in [0, 1)");
            Require(Eps > 0 && float.IsFinite(Eps), $"eps {Num(Eps)}: must be a finite number > 0");
        }
        else
        {
            Require(Momentum >= 0 && Momentum < 1, $"momentum {Num(Momentum)}: must be in [0, 1)");
            Require(Dampening >= 0 && Dampening <= 1, $"dampening {Num(Dampening)}: must be in [0, 1]");
            Require(!Nesterov || (Momentum > 0 && Dampening == 0),
                $"nesterov: needs --momentum > 0 and --dampening 0 (momentum {Num(Momentum)}, dampening {Num(Dampening)})");
        }
        Require(WeightDecay >= 0 && float.IsFinite(WeightDecay), $"weight-decay {Num(WeightDecay)}: must be a finite number ≥ 0");
    }

    public override string ToString() => Kind.IsAdam()
        ? string.Create(CultureInfo.InvariantCulture, $"{Kind.Name()} betas={Beta1}/{Beta2} eps={Eps} wd={WeightDecay}")
        : string.Create(CultureInfo.InvariantCulture, $"sgd momentum={Momentum} dampening={Dampening} nesterov={Nesterov} wd={WeightDecay}");

    static void Require(bool ok, string message)
    {
        if (!ok) throw new ThresherInputException(message);
    }

    static string Num(float v) => v.ToString(CultureInfo.InvariantCulture);
}
