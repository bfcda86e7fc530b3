namespace Thresher.Client.Tests;

/// <summary>Bad --overlap values and combinations: one clear line on stderr naming the value and the choices, exit 2, no stack trace.</summary>
public sealed class OverlapBadInputTests(SyntheticData data) : IClassFixture<SyntheticData>
{
    [Theory]
    [InlineData("overlap 'yes': must be off, auto or on", "--overlap", "yes")]
    [InlineData("overlap on with ps-shards 2: a sharded run's workers fetch θ and push slices to the shards themselves; use --overlap off or --ps-shards 1", "--overlap", "on", "--ps-shards", "2")]
    [InlineData("overlap auto with aggregate per-silo: the aggregators take θ and sums whole; use --overlap off or --aggregate none", "--overlap", "auto", "--aggregate", "per-silo")]
    [InlineData("overlap on with sync ssp: ssp's pushes travel whole; use --overlap off or --sync sync", "--overlap", "on", "--sync", "ssp")]
    [InlineData("overlap on with wire bf16: streamed gradients travel as float32; use --overlap off or --wire fp32", "--overlap", "on", "--wire", "bf16")]
    public async Task Train_rejects_bad_overlap_modes_and_combinations(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }
}
