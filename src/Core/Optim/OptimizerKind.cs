namespace Thresher.Core.Optim;

/// <summary>The update rule applied to the clipped mean gradient (PyTorch's torch.optim names).</summary>
public enum OptimizerKind
{
    /// <summary>torch.optim.SGD: momentum, dampening, nesterov, L2 weight decay.</summary>
    Sgd,

    /// <summary>torch.optim.Adam: bias-corrected moments, L2 weight decay added to the gradient.</summary>
    Adam,

    /// <summary>torch.optim.AdamW: Adam with decoupled weight decay θ ← θ·(1 − lr·wd).</summary>
    AdamW,
}

public static class OptimizerKinds
{
    public static IReadOnlyList<string> Names { get; } = ["sgd", "adam", "adamw"];

    public static OptimizerKind Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "sgd" => OptimizerKind.Sgd,
        "adam" => OptimizerKind.Adam,
        "adamw" => OptimizerKind.AdamW,
        _ => throw new ThresherInputException($"optimizer '{text}': unknown; expected one of {string.Join(", ", Names)}"),
    };

    public static string Name(this OptimizerKind kind) => kind switch
    {
        OptimizerKind.Adam => "adam",
        OptimizerKind.AdamW => "adamw",
        _ => "sgd",
    };

    /// <summary>Adam and AdamW keep two moments and a step count; SGD a momentum buffer.</summary>
    public static bool IsAdam(this OptimizerKind kind) => kind is OptimizerKind.Adam or OptimizerKind.AdamW;
}
