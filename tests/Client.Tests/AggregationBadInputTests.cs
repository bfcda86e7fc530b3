namespace Thresher.Client.Tests;

/// <summary>Bad --aggregate values and combinations: one clear line on stderr naming the value and the choices, exit 2, no stack trace.</summary>
public sealed class AggregationBadInputTests(SyntheticData data) : IClassFixture<SyntheticData>
{
    [Theory]
    [InlineData("aggregate 'tree': must be none or per-silo", "--aggregate", "tree")]
    [InlineData("aggregate per-silo with on-spike skip: the response ladder replays one worker's whole gradient, which a silo's sum hides; use --on-spike none or --aggregate none", "--aggregate", "per-silo", "--on-spike", "skip")]
    [InlineData("aggregate per-silo with on-spike rewind:", "--aggregate", "per-silo", "--on-spike", "rewind")]
    [InlineData("aggregate per-silo with ps-shards 2: sharded runs send each worker's slices to the shards directly; use --ps-shards 1 or --aggregate none", "--aggregate", "per-silo", "--ps-shards", "2")]
    [InlineData("aggregate per-silo with wire bf16: the silos' aggregators sum float32 gradients; use --wire fp32 or --aggregate none", "--aggregate", "per-silo", "--wire", "bf16")]
    [InlineData("aggregate per-silo with sync ssp: ssp applies each worker's push on its own; use --sync sync or --aggregate none", "--aggregate", "per-silo", "--sync", "ssp")]
    public async Task Train_rejects_bad_modes_and_combinations(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }
}
