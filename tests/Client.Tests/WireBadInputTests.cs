namespace Thresher.Client.Tests;

/// <summary>Bad --wire values and combinations: one clear line on stderr naming the value and the choices, exit 2, no stack trace.</summary>
public sealed class WireBadInputTests(SyntheticData data) : IClassFixture<SyntheticData>
{
    [Theory]
    [InlineData("wire 'fp16': must be fp32 or bf16", "--wire", "fp16")]
    [InlineData("wire 'bf16 ': must be fp32 or bf16", "--wire", "bf16 ")]
    [InlineData("wire bf16 with ps-shards 2: the shards take float32 gradient slices; use --wire fp32 or --ps-shards 1", "--wire", "bf16", "--ps-shards", "2")]
    [InlineData("wire bf16 with on-spike skip: the ladder's replay compares two workers' parts to 1e-5, which bf16 rounding and error feedback exceed; use --on-spike none or --wire fp32", "--wire", "bf16", "--on-spike", "skip")]
    public async Task Train_rejects_bad_wire_formats_and_combinations(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }
}
