namespace Thresher.Core.Model;

/// <summary>The training loss on the MLP's linear output.</summary>
public enum LossKind
{
    /// <summary>Softmax cross-entropy on integer labels (the sane default).</summary>
    CrossEntropy,

    /// <summary>Mean squared error on one-hot labels, averaged over classes (the tutorial's).</summary>
    Mse,
}

public static class LossKinds
{
    public static LossKind Parse(string text) => text?.ToLowerInvariant() switch
    {
        "ce" or "cross-entropy" or "crossentropy" or "softmax" => LossKind.CrossEntropy,
        "mse" => LossKind.Mse,
        _ => throw new ThresherInputException($"loss '{text}': unknown loss; expected ce or mse"),
    };

    public static string Name(this LossKind kind) => kind == LossKind.Mse ? "mse" : "ce";
}
