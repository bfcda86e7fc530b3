namespace Thresher.Client.Tests;

/// <summary>Bad --sync / --staleness values and combinations: one clear line on stderr naming the values and the range or the fix, exit 2, no stack trace.</summary>
public sealed class SspBadInputTests(SyntheticData data) : IClassFixture<SyntheticData>
{
    [Theory]
    [InlineData("staleness -1: must be in 0..1000 (clocks a worker may run ahead of the slowest)", "--sync", "ssp", "--staleness", "-1")]
    [InlineData("staleness 1001: must be in 0..1000", "--sync", "ssp", "--staleness", "1001")]
    [InlineData("staleness 2 needs --sync ssp (the synchronous step has no staleness)", "--staleness", "2")]
    [InlineData("staleness 0 needs --sync ssp", "--sync", "sync", "--staleness", "0")]
    [InlineData("sync 'async': must be sync or ssp", "--sync", "async")]
    [InlineData("sync ssp with ps-shards 2: the sharded parameter server's two-phase step is synchronous; use --ps-shards 1 or --sync sync", "--sync", "ssp", "--ps-shards", "2")]
    [InlineData("sync ssp with on-spike rewind: the response ladder judges, replays and rewinds whole synchronous steps; use --on-spike none or --sync sync", "--sync", "ssp", "--on-spike", "rewind")]
    [InlineData("staleness 'x': not a whole number", "--sync", "ssp", "--staleness", "x")]
    public async Task Train_rejects_bad_staleness_and_what_ssp_cannot_do(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }
}
