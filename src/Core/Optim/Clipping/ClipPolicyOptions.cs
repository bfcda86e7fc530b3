using System.Globalization;

namespace Thresher.Core.Optim.Clipping;

/// <summary>
/// The clip policy of a run and its hyper-parameters. A policy's own options are null unless given, so that an
/// option given without its policy is refused (<see cref="Validate"/>); the Effective* properties hold the defaults.
/// The clip norm c itself is <see cref="Training.TrainingOptions.Clip"/>: global's and per-tensor's c, ZClip's
/// optional hard cap; autoclip, agc and none take none.
/// </summary>
public sealed record ClipPolicyOptions
{
    public const int DefaultZClipWarmup = 25;
    public const double DefaultZClipAlpha = 0.97;
    public const double DefaultZClipZ = 2.5;
    public const double DefaultAutoClipPercentile = 10;
    public const double DefaultAgcLambda = 0.01;

    /// <summary>Largest accepted ZClip warm-up and AutoClip history (steps).</summary>
    public const int MaxSteps = 10_000_000;

    /// <summary>Which policy. Default global (tf.clip_by_global_norm).</summary>
    public ClipPolicyKind Kind { get; init; } = ClipPolicyKind.Global;

    /// <summary>ZClip: steps whose norms initialise μ and σ² (no adaptive clipping meanwhile), 1..<see cref="MaxSteps"/>. Default 25.</summary>
    public int? ZClipWarmup { get; init; }

    /// <summary>ZClip: EMA factor α of μ and σ², in (0, 1). Default 0.97.</summary>
    public double? ZClipAlpha { get; init; }

    /// <summary>ZClip: z-score threshold z_thr (&gt; 0, finite). Default 2.5.</summary>
    public double? ZClipZ { get; init; }

    /// <summary>AutoClip: percentile p of the norms seen so far, in [0, 100]. Default 10.</summary>
    public double? AutoClipPercentile { get; init; }

    /// <summary>AutoClip: the newest norms kept, 1..<see cref="MaxSteps"/>; null (default) keeps all.</summary>
    public int? AutoClipHistory { get; init; }

    /// <summary>AGC: λ, the largest ratio ‖G_i‖ / max(‖W_i‖, 1e-3) (&gt; 0, finite). Default 0.01.</summary>
    public double? AgcLambda { get; init; }

    /// <summary>AGC: clip the output layer too (the paper leaves it out). Default false.</summary>
    public bool? AgcIncludeLast { get; init; }

    public int EffectiveZClipWarmup => ZClipWarmup ?? DefaultZClipWarmup;
    public double EffectiveZClipAlpha => ZClipAlpha ?? DefaultZClipAlpha;
    public double EffectiveZClipZ => ZClipZ ?? DefaultZClipZ;
    public double EffectiveAutoClipPercentile => AutoClipPercentile ?? DefaultAutoClipPercentile;
    public double EffectiveAgcLambda => AgcLambda ?? DefaultAgcLambda;
    public bool EffectiveAgcIncludeLast => AgcIncludeLast ?? false;

    /// <summary>Throws <see cref="ThresherInputException"/> naming the first bad value and the accepted range.</summary>
    /// <param name="clip">The run's clip norm c (null: none).</param>
    public void Validate(float? clip)
    {
        string policy = Kind.Name();
        OnlyWith(ClipPolicyKind.ZClip, "zclip-warmup", ZClipWarmup?.ToString(CultureInfo.InvariantCulture));
        OnlyWith(ClipPolicyKind.ZClip, "zclip-alpha", Num(ZClipAlpha));
        OnlyWith(ClipPolicyKind.ZClip, "zclip-z", Num(ZClipZ));
        OnlyWith(ClipPolicyKind.AutoClip, "autoclip-percentile", Num(AutoClipPercentile));
        OnlyWith(ClipPolicyKind.AutoClip, "autoclip-history", AutoClipHistory?.ToString(CultureInfo.InvariantCulture));
        OnlyWith(ClipPolicyKind.Agc, "agc-lambda", Num(AgcLambda));
        OnlyWith(ClipPolicyKind.Agc, "agc-include-last", AgcIncludeLast?.ToString().ToLowerInvariant());
        Require(ZClipWarmup is null or >= 1 and <= MaxSteps, $"zclip-warmup {ZClipWarmup}: must be in 1..{MaxSteps}");
        Require(ZClipAlpha is null || ZClipAlpha is > 0 and < 1, $"zclip-alpha {Num(ZClipAlpha)}: must be in (0, 1)");
        Require(ZClipZ is null || (ZClipZ > 0 && double.IsFinite(ZClipZ.Value)), $"zclip-z {Num(ZClipZ)}: must be a finite number > 0");
        Require(AutoClipPercentile is null || AutoClipPercentile is >= 0 and <= 100, $"autoclip-percentile {Num(AutoClipPercentile)}: must be in [0, 100]");
        Require(AutoClipHistory is null or >= 1 and <= MaxSteps, $"autoclip-history {AutoClipHistory}: must be in 1..{MaxSteps} (default: all steps)");
        Require(AgcLambda is null || (AgcLambda > 0 && double.IsFinite(AgcLambda.Value)), $"agc-lambda {Num(AgcLambda)}: must be a finite number > 0");
        Require(clip is not null || Kind != ClipPolicyKind.PerTensor, "clip none: --clip-policy per-tensor needs a clip norm > 0 (--clip NORM)");
        Require(clip is null || Kind is ClipPolicyKind.Global or ClipPolicyKind.PerTensor or ClipPolicyKind.ZClip,
            $"clip {Num(clip)}: --clip-policy {policy} takes no clip norm; --clip is global's and per-tensor's norm and zclip's hard cap (use --clip none)");

        void OnlyWith(ClipPolicyKind kind, string option, string? value)
            => Require(value is null || Kind == kind, $"{option} {value}: only used with --clip-policy {kind.Name()} (the policy is {policy})");
    }

    static void Require(bool ok, string message)
    {
        if (!ok) throw new ThresherInputException(message);
    }

    static string? Num(double? v) => v?.ToString(CultureInfo.InvariantCulture);
}
