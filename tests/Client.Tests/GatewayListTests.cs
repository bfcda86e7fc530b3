namespace Thresher.Client.Tests;

/// <summary>`--gateway` takes several gateways, comma-separated or repeated; an unreachable list is named whole (exit 3).</summary>
public sealed class GatewayListTests
{
    [Theory]
    [InlineData("--gateway", "127.0.0.1:1,127.0.0.1:2")]
    [InlineData("--gateway", "127.0.0.1:1", "--gateway", "127.0.0.1:2")]
    public async Task Several_gateways_are_all_tried_and_named_when_none_answers(params string[] gateways)
    {
        var (code, _, stderr) = await CliRunner.RunExecutable(["runs", .. gateways, "--connect-timeout", "2"]);
        Assert.Equal(3, code);
        Assert.Contains("gateway 127.0.0.1:1,127.0.0.1:2", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task A_malformed_gateway_in_the_list_is_bad_input()
    {
        var (code, _, stderr) = await CliRunner.RunExecutable("runs", "--gateway", "127.0.0.1:30000,nonsense", "--connect-timeout", "2");
        Assert.Equal(2, code);
        Assert.Contains("gateway 'nonsense': expected HOST:PORT", stderr, StringComparison.Ordinal);
    }
}
