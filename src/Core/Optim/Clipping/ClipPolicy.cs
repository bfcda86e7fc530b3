using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// How the parameter server clips the aggregated gradient g = Σ_w g_w of a step, from its per-tensor and global
/// L2 norms (accumulated in double): <see cref="Decide"/> says the threshold and the scale(s) without touching the
/// policy's state; <see cref="Commit"/> records an applied step into it (a skipped step — non-finite norm — is
/// never committed, so NaN and ∞ cannot poison the state). AGC alone also needs θ and rescales g unit by unit
/// before the update (<see cref="ScalesUnits"/>). A policy's state is a function of the global norms of the
/// applied steps, so it follows any W as the norms do (to float rounding) and is saved in the parameter server's checkpoint.
/// Reported threshold t: the post-clip global norm is min(n, t) for global, zclip and autoclip; per-tensor
/// reports its c per tensor and agc its λ.
/// </summary>
public abstract class ClipPolicy
{
    public abstract ClipPolicyKind Kind { get; }

    /// <summary>The clip decision for a step's norms; the state is not changed.</summary>
    public abstract ClipDecision Decide(double[] tensorNorms, double globalNorm);

    /// <summary>Records a step that was applied with <paramref name="decision"/> (finite norm only).</summary>
    public virtual void Commit(ClipDecision decision) { }

    /// <summary>True for AGC: g is rescaled per output unit by <see cref="ScaleUnits"/> before the update.</summary>
    public virtual bool ScalesUnits => false;

    /// <summary>AGC's pass: rescales g (layout order) in place against θ; returns the post-clip global norm.</summary>
    public virtual double ScaleUnits(Span<float> gradient, ReadOnlySpan<float> theta)
        => throw new InvalidOperationException($"clip policy {Kind.Name()} does not rescale units");

    /// <summary>The state to checkpoint (empty when the policy has none).</summary>
    public virtual byte[] SaveState() => [];

    /// <summary>Replaces the policy's state with <see cref="SaveState"/>'s bytes (from a checkpoint, or a rewind's snapshot).</summary>
    public virtual void RestoreState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != 0) throw new InvalidOperationException($"clip policy {Kind.Name()} has no state, but the checkpoint holds {state.Length} bytes of it");
    }

    /// <summary>The policy of a run: <paramref name="clip"/> is c (global, per-tensor) or ZClip's hard cap.</summary>
    public static ClipPolicy Create(ClipPolicyOptions options, float? clip, ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(layout);
        options.Validate(clip);
        return options.Kind switch
        {
            ClipPolicyKind.Global => new GlobalClip(clip),
            ClipPolicyKind.None => new GlobalClip(null),
            ClipPolicyKind.PerTensor => new PerTensorClip(clip!.Value),
            ClipPolicyKind.ZClip => new ZClip(options.EffectiveZClipWarmup, options.EffectiveZClipAlpha, options.EffectiveZClipZ, clip),
            ClipPolicyKind.AutoClip => new AutoClip(options.EffectiveAutoClipPercentile, options.AutoClipHistory),
            ClipPolicyKind.Agc => new AdaptiveGradientClip(layout, options.EffectiveAgcLambda, options.EffectiveAgcIncludeLast),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown clip policy"),
        };
    }

    /// <summary>
    /// One scale for all of g against threshold t: t/n when n &gt; t (then the post-clip norm is t), else 1. A
    /// non-finite n gives scale NaN (the step is skipped) and post-clip n; t = 0 with n = 0 is no clip, not 0/0.
    /// </summary>
    protected static ClipDecision Uniform(double[] tensorNorms, double globalNorm, double threshold)
    {
        if (!double.IsFinite(globalNorm)) return new(tensorNorms, globalNorm, float.NaN, globalNorm) { Threshold = threshold };
        return globalNorm > threshold
            ? new(tensorNorms, globalNorm, (float)(threshold / globalNorm), threshold) { Threshold = threshold }
            : new(tensorNorms, globalNorm, 1f, globalNorm) { Threshold = threshold };
    }
}
