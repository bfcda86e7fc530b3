namespace Thresher.Client.Tests;

/// <summary>Bad response-ladder options and injection rules: one clear line on stderr naming the value, exit 2, no stack trace.</summary>
public sealed class SpikeBadInputTests(SyntheticData data) : IClassFixture<SyntheticData>
{
    [Theory]
    [InlineData("on-spike 'retry': unknown; expected none, skip, rewind or abort", "--on-spike", "retry")]
    [InlineData("spike-window 1: must be in 2..100000", "--spike-window", "1")]
    [InlineData("spike-sigma 0: must be a finite number > 0", "--spike-sigma", "0")]
    [InlineData("spike-min-history 200: must be in 2..128", "--spike-min-history", "200")]
    [InlineData("spike-sided 'both': unknown; expected one or two", "--spike-sided", "both")]
    [InlineData("rewind-after 0: must be in 1..1000", "--rewind-after", "0")]
    [InlineData("rewind-window 0: must be in 1..1000000", "--rewind-window", "0")]
    [InlineData("rewind-steps 0: must be in 1..1000000", "--rewind-steps", "0")]
    [InlineData("rewind-skip-batches -1: must be in 0..1000000", "--rewind-skip-batches", "-1")]
    [InlineData("fault-limit 1001: must be in 0..1000 (0 = never move workers off a silo)", "--fault-limit", "1001")]
    [InlineData("fault-limit -1: must be in 0..1000", "--fault-limit", "-1")]
    [InlineData("alert-growth 'x': not a number", "--alert-growth", "x")]
    [InlineData("growth factor 1: must be a finite number > 1", "--alert-growth", "1")]
    [InlineData("inject 'batch:3': expected batch:B:scale=X", "--inject", "batch:3")]
    [InlineData("inject '-1': a batch or worker must be a whole number", "--inject", "batch:-1:scale=10")]
    [InlineData("inject '0': a scale or noise must be a finite number > 0", "--inject", "batch:3:scale=0")]
    [InlineData("inject 'worker:5:nan@3': worker 5 does not exist; the run has workers 0..1", "--inject", "worker:5:nan@3")]
    public async Task Train_rejects_bad_ladder_options_and_injection_rules(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }
}
