using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>The run options of the clip policy (--clip-policy and each policy's own options).</summary>
public partial class RunSettings
{
    [CommandOption("--clip-policy <POLICY>")]
    [Description("How the aggregated gradient is clipped: global (clip_by_global_norm at --clip; default), per-tensor (clip_by_norm of each tensor at --clip), zclip (z-score of the norm against its EMAs; --clip is an optional hard cap), autoclip (percentile of the norms so far), agc (per unit, against the weights' norm) or none. autoclip, agc and none take no --clip.")]
    public string? ClipPolicy { get; init; }

    [CommandOption("--zclip-warmup <N>")]
    [Description("zclip: steps whose norms set the initial mean and variance, 1..10000000. Default 25.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? ZClipWarmup { get; init; }

    [CommandOption("--zclip-alpha <A>")]
    [Description("zclip: EMA factor of the norm's mean and variance, in (0, 1). Default 0.97.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? ZClipAlpha { get; init; }

    [CommandOption("--zclip-z <Z>")]
    [Description("zclip: z-score above which a norm is clipped (> 0). Default 2.5.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? ZClipZ { get; init; }

    [CommandOption("--autoclip-percentile <P>")]
    [Description("autoclip: clip at the P-th percentile of the global norms so far, current one included, P in [[0, 100]]. Default 10.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AutoClipPercentile { get; init; }

    [CommandOption("--autoclip-history <N>")]
    [Description("autoclip: keep the newest N norms, 1..10000000. Default: all.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? AutoClipHistory { get; init; }

    [CommandOption("--agc-lambda <L>")]
    [Description("agc: each unit's gradient norm is capped at L × max(its weights' norm, 1e-3) (> 0). Default 0.01.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AgcLambda { get; init; }

    [CommandOption("--agc-include-last")]
    [Description("agc: clip the output layer too (left out by default, as the paper advises).")]
    public bool AgcIncludeLast { get; init; }
}
