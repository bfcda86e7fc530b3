using Thresher.Core.Backends;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Backends;

/// <summary>
/// Which runs the device-resident loop takes (the rule the parameter server, the GPU trainer and the CLI share), and the
/// evaluation interval `train` gives a device run without --eval-every.
/// </summary>
public sealed class ResidentTrainingTests
{
    [Fact]
    public void A_one_worker_run_with_global_clipping_and_no_ladder_is_taken()
    {
        Assert.Null(ResidentTraining.Refusal(Presets.Fast));
        Assert.Null(ResidentTraining.Refusal(Presets.Default with { Clip = null }));
    }

    [Theory]
    [InlineData("workers", "runs one worker; this run has 2")]
    [InlineData("sharded", "not on parameter-server shards")]
    [InlineData("fixed", "not fixed shards")]
    [InlineData("zclip", "not clip-policy zclip")]
    [InlineData("ladder", "no response ladder")]
    [InlineData("omit", "skips no batches")]
    [InlineData("bf16", "no bf16 wire")]
    public void Runs_whose_rules_run_on_the_host_are_refused_with_the_reason(string what, string reason)
    {
        var options = what switch
        {
            "zclip" => Presets.Default with { ClipPolicy = new ClipPolicyOptions { Kind = ClipPolicyKind.ZClip } },
            "ladder" => Presets.Default with { Spike = new SpikeOptions { OnSpike = SpikeAction.Skip } },
            "omit" => Presets.Default with { OmitBatches = [3] },
            _ => Presets.Default,
        };
        string? refusal = ResidentTraining.Refusal(options, workers: what == "workers" ? 2 : 1, sharded: what == "sharded", fixedShards: what == "fixed", bf16Wire: what == "bf16");
        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(512, 12)]   // the fast preset: ⌈6000 / 512⌉
    [InlineData(128, 47)]
    [InlineData(6000, 1)]
    [InlineData(65536, 1)]
    [InlineData(1, 6000)]
    public void Device_runs_evaluate_about_every_6000_samples(int batch, int steps) =>
        Assert.Equal(steps, ResidentTraining.EvaluationInterval(batch));
}
