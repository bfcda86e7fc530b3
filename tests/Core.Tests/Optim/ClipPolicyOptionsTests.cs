using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Optim;

/// <summary>Bad clip-policy input is refused with one message naming the value and the accepted range.</summary>
public sealed class ClipPolicyOptionsTests
{
    public static TheoryData<ClipPolicyOptions, float?, string> Bad => new()
    {
        { new() { Kind = ClipPolicyKind.Global, ZClipZ = 3 }, 15f, "zclip-z 3: only used with --clip-policy zclip (the policy is global)" },
        { new() { Kind = ClipPolicyKind.ZClip, AgcLambda = 0.1 }, null, "agc-lambda 0.1: only used with --clip-policy agc (the policy is zclip)" },
        { new() { Kind = ClipPolicyKind.Agc, AutoClipHistory = 5 }, null, "autoclip-history 5: only used with --clip-policy autoclip (the policy is agc)" },
        { new() { Kind = ClipPolicyKind.ZClip, ZClipAlpha = 1 }, null, "zclip-alpha 1: must be in (0, 1)" },
        { new() { Kind = ClipPolicyKind.ZClip, ZClipAlpha = double.NaN }, null, "zclip-alpha NaN: must be in (0, 1)" },
        { new() { Kind = ClipPolicyKind.ZClip, ZClipZ = -1 }, null, "zclip-z -1: must be a finite number > 0" },
        { new() { Kind = ClipPolicyKind.ZClip, ZClipWarmup = 0 }, null, "zclip-warmup 0: must be in 1..10000000" },
        { new() { Kind = ClipPolicyKind.AutoClip, AutoClipPercentile = 101 }, null, "autoclip-percentile 101: must be in [0, 100]" },
        { new() { Kind = ClipPolicyKind.AutoClip, AutoClipPercentile = double.NaN }, null, "autoclip-percentile NaN: must be in [0, 100]" },
        { new() { Kind = ClipPolicyKind.AutoClip, AutoClipHistory = 0 }, null, "autoclip-history 0: must be in 1..10000000 (default: all steps)" },
        { new() { Kind = ClipPolicyKind.Agc, AgcLambda = 0 }, null, "agc-lambda 0: must be a finite number > 0" },
        { new() { Kind = ClipPolicyKind.PerTensor }, null, "clip none: --clip-policy per-tensor needs a clip norm > 0 (--clip NORM)" },
        { new() { Kind = ClipPolicyKind.AutoClip }, 15f, "clip 15: --clip-policy autoclip takes no clip norm; --clip is global's and per-tensor's norm and zclip's hard cap (use --clip none)" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_values_are_refused_with_the_value_and_the_range(ClipPolicyOptions options, float? clip, string message)
    {
        var e = Assert.Throws<ThresherInputException>(() => options.Validate(clip));
        Assert.Equal(message, e.Message);
        Assert.Throws<ThresherInputException>(() => (Presets.Default with { Clip = clip, ClipPolicy = options }).Validate());
    }

    [Theory]
    [InlineData("global", ClipPolicyKind.Global)]
    [InlineData("Per-Tensor", ClipPolicyKind.PerTensor)]
    [InlineData("zclip", ClipPolicyKind.ZClip)]
    [InlineData("autoclip", ClipPolicyKind.AutoClip)]
    [InlineData("agc", ClipPolicyKind.Agc)]
    [InlineData("none", ClipPolicyKind.None)]
    public void Names_parse_and_round_trip(string name, ClipPolicyKind kind)
    {
        Assert.Equal(kind, ClipPolicyKinds.Parse(name));
        Assert.Equal(name.ToLowerInvariant(), kind.Name());
    }

    [Fact]
    public void An_unknown_policy_names_the_accepted_ones()
        => Assert.Equal("clip-policy 'zclipp': unknown; expected one of global, per-tensor, zclip, autoclip, agc, none",
            Assert.Throws<ThresherInputException>(() => ClipPolicyKinds.Parse("zclipp")).Message);
}
