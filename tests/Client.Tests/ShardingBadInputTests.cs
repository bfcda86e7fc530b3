namespace Thresher.Client.Tests;

/// <summary>Bad --ps-shards values and combinations: one clear line on stderr naming the value and the range, exit 2, no stack trace.</summary>
public sealed class ShardingBadInputTests(SyntheticData data) : IClassFixture<SyntheticData>
{
    // SyntheticData.Layers 16,24,10: 2 layers, 4 tensors.
    [Theory]
    [InlineData("ps-shards 0: must be in 1..4 (θ is cut only at tensor boundaries; layers 16,24,10 have 4 tensors)", "--ps-shards", "0")]
    [InlineData("ps-shards 5: must be in 1..4", "--ps-shards", "5")]
    [InlineData("ps-shards 3: must be in 1..2 (θ is cut only at layer boundaries (agc)", "--ps-shards", "3", "--clip-policy", "agc", "--clip", "none")]
    [InlineData("ps-shards 2 with on-spike skip: the response ladder's replay and rewind need the whole gradient and θ on one grain; use --on-spike none or --ps-shards 1", "--ps-shards", "2", "--on-spike", "skip")]
    [InlineData("ps-shards 'two': not a whole number", "--ps-shards", "two")]
    public async Task Train_rejects_bad_shard_counts_and_combinations(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }
}
