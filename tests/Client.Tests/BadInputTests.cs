namespace Thresher.Client.Tests;

/// <summary>
/// Every bad option gets one clear line on stderr naming the value, exit code 2, and no stack trace. The rows run the
/// app in this process (<see cref="CliRunner.Run"/>: the same ExitCodes path as the executable); a few run the
/// executable, where the process boundary is what is tested (exit code, stderr, no stack trace).
/// </summary>
public sealed class BadInputTests : IClassFixture<SyntheticData>
{
    readonly SyntheticData _data;

    public BadInputTests(SyntheticData data) => _data = data;

    [Theory]
    [InlineData("lr 'abc': not a number", "--lr", "abc")]
    [InlineData("lr -1: must be a finite number > 0", "--lr", "-1")]
    [InlineData("lr 0: must be a finite number > 0", "--lr", "0")]
    [InlineData("batch 0: must be in 1..65536", "--batch", "0")]
    [InlineData("batch 10000000: must be in 1..65536", "--batch", "10000000")]
    [InlineData("workers 0: must be in 1..256", "--workers", "0")]
    [InlineData("workers 300: must be in 1..256", "--workers", "300")]
    [InlineData("batch 4 is smaller than workers 8", "--batch", "4", "--workers", "8")]
    [InlineData("size 0 at position 2", "--layers", "16,0,10")]
    [InlineData("size -3 at position 2", "--layers", "16,-3,10")]
    [InlineData("size 100000 at position 2 is outside 1..16384", "--layers", "16,100000,10")]
    [InlineData("clip 0: must be a finite number > 0, or 'none'", "--clip", "0")]
    [InlineData("clip NaN: must be a finite number > 0", "--clip", "NaN")]
    [InlineData("epochs 0: must be > 0", "--epochs", "0")]
    [InlineData("steps -5: must be in 1..", "--steps", "-5")]
    [InlineData("momentum 1: must be in [0, 1)", "--momentum", "1")]
    [InlineData("input-scale 0: must be a finite number > 0", "--input-scale", "0")]
    [InlineData("loss 'hinge': unknown loss", "--loss", "hinge")]
    [InlineData("preset 'nope': unknown", "--preset", "nope")]
    [InlineData("nonfinite 'ignore': unknown policy", "--nonfinite", "ignore")]
    [InlineData("init 'zeros': unknown initialiser", "--init", "zeros")]
    [InlineData("shard-mode 'random': unknown", "--shard-mode", "random")]
    [InlineData("run-id 'a b': use 1..64 letters", "--run-id", "a b")]
    [InlineData("init-from 'missing.safetensors': no such file", "--init-from", "missing.safetensors")]
    [InlineData("worker-threads -1: must be in 0..1024", "--worker-threads", "-1")]
    [InlineData("clip-policy 'zclipp': unknown; expected one of global, per-tensor, zclip, autoclip, agc, none", "--clip-policy", "zclipp")]
    [InlineData("zclip-z 3: only used with --clip-policy zclip (the policy is global)", "--zclip-z", "3")]
    [InlineData("agc-include-last true: only used with --clip-policy agc (the policy is global)", "--agc-include-last")]
    [InlineData("autoclip-history 5: only used with --clip-policy autoclip (the policy is zclip)", "--clip-policy", "zclip", "--autoclip-history", "5")]
    [InlineData("zclip-alpha NaN: must be in (0, 1)", "--clip-policy", "zclip", "--zclip-alpha", "NaN")]
    [InlineData("zclip-warmup -3: must be in 1..10000000", "--clip-policy", "zclip", "--zclip-warmup", "-3")]
    [InlineData("zclip-z 'abc': not a number", "--clip-policy", "zclip", "--zclip-z", "abc")]
    [InlineData("autoclip-percentile -1: must be in [0, 100]", "--clip-policy", "autoclip", "--autoclip-percentile", "-1")]
    [InlineData("agc-lambda -0.5: must be a finite number > 0", "--clip-policy", "agc", "--agc-lambda", "-0.5")]
    [InlineData("clip 5: --clip-policy autoclip takes no clip norm", "--clip-policy", "autoclip", "--clip", "5")]
    [InlineData("clip none: --clip-policy per-tensor needs a clip norm > 0", "--clip-policy", "per-tensor", "--clip", "none")]
    public async Task Train_rejects_bad_options(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.Run(["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lr 'abc': not a number", "--lr", "abc")]
    [InlineData("batch 4 is smaller than workers 8", "--batch", "4", "--workers", "8")]
    [InlineData("unknown option '--epoch' for 'thresher train'; did you mean --epochs?", "--epoch", "1")]
    [InlineData("option --steps of 'thresher train' needs a value: --steps <N>", "--steps")]
    [InlineData("unexpected argument 'now' for 'thresher train'", "now")]
    public async Task The_executable_reports_bad_input_on_stderr_with_exit_2_and_no_stack_trace(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--steps", "1", .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("error: ", line[..7]);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_rejects_a_dataset_that_does_not_fit_the_model()
    {
        var (code, _, stderr) = await CliRunner.Run("train", "--data", _data.Directory, "--layers", "784,10");
        Assert.Equal(2, code);
        Assert.Contains("784", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await CliRunner.Run("train", "--data", "/nonexistent/thresher-data");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/thresher-data", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_rejects_a_model_file_with_other_shapes_or_corrupt_bytes()
    {
        string dir = Directory.CreateTempSubdirectory("thresher-bad-model-").FullName;
        try
        {
            string saved = Path.Combine(dir, "small.safetensors");
            var (code, stdout, stderr) = await CliRunner.RunExecutableIn(dir, TimeSpan.FromMinutes(2),
                "train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--steps", "2", "--save", saved);
            Assert.True(code == 0, stdout + stderr);
            (code, _, stderr) = await CliRunner.Run("train", "--data", _data.Directory, "--layers", "16,32,10", "--init-from", saved);
            Assert.Equal(2, code);
            Assert.Contains("w1: expected shape [16,32], file has [16,24]", stderr, StringComparison.Ordinal);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); // one line, never 8

            string corrupt = Path.Combine(dir, "corrupt.safetensors");
            File.WriteAllBytes(corrupt, [1, 2, 3]);
            (code, _, stderr) = await CliRunner.Run("train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init-from", corrupt);
            Assert.Equal(2, code);
            Assert.Contains(corrupt, stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("train")]
    [InlineData("submit")]
    [InlineData("runs")]
    [InlineData("status")]
    [InlineData("cancel")]
    [InlineData("watch")]
    [InlineData("cluster")]
    [InlineData("report")]
    [InlineData("demo", "explosion")]
    [InlineData("demo", "clipping")]
    [InlineData("bench")]
    [InlineData("export")]
    [InlineData("data", "fetch")]
    [InlineData("data", "info")]
    public async Task Every_command_prints_its_help(params string[] command)
    {
        var (code, output) = await CliRunner.RunInProcess([.. command, "--help"]);
        Assert.True(code == 0, $"{string.Join(' ', command)} --help: exit {code}: {output}");
        Assert.Contains("USAGE:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_explains_the_commands_and_options()
    {
        var (code, stdout, _) = await CliRunner.RunExecutable("train", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--preset", "--lr", "--clip", "--workers", "--metrics-out", "--summary-json", "--init-from", "--save", "--nonfinite" })
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        (code, stdout, _) = await CliRunner.RunExecutable("--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "train", "submit", "runs", "status", "cancel", "data" })
            Assert.Contains(command, stdout, StringComparison.Ordinal);
    }
}
