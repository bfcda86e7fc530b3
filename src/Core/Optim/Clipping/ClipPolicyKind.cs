namespace Thresher.Core.Optim.Clipping;

/// <summary>How the parameter server clips the aggregated gradient g (after Σ_w g_w, before the update).</summary>
public enum ClipPolicyKind
{
    /// <summary>tf.clip_by_global_norm at c (the default; no clipping when c is null).</summary>
    Global,

    /// <summary>Keras clipnorm: tf.clip_by_norm on each tensor at c.</summary>
    PerTensor,

    /// <summary>ZClip (Kumar et al. 2025): z-score of the global norm against EMAs of its mean and variance.</summary>
    ZClip,

    /// <summary>AutoClip (Seetharaman et al. 2020): the p-th percentile of the global norms seen so far.</summary>
    AutoClip,

    /// <summary>Adaptive gradient clipping (Brock et al. 2021): each output unit's gradient against its weights' norm.</summary>
    Agc,

    /// <summary>No clipping.</summary>
    None,
}

public static class ClipPolicyKinds
{
    public static IReadOnlyList<string> Names { get; } = ["global", "per-tensor", "zclip", "autoclip", "agc", "none"];

    public static ClipPolicyKind Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "global" => ClipPolicyKind.Global,
        "per-tensor" => ClipPolicyKind.PerTensor,
        "zclip" => ClipPolicyKind.ZClip,
        "autoclip" => ClipPolicyKind.AutoClip,
        "agc" => ClipPolicyKind.Agc,
        "none" => ClipPolicyKind.None,
        _ => throw new ThresherInputException($"clip-policy '{text}': unknown; expected one of {string.Join(", ", Names)}"),
    };

    public static string Name(this ClipPolicyKind kind) => Names[(int)kind];
}
