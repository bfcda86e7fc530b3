using System.Text.Json;

namespace Thresher.Client.Tests;

/// <summary>
/// Bad input against a running cluster (one thresher-silo process shared by the class): unknown runs, runs
/// already finished or cancelled, unknown or corrupt datasets, absurd sizes, a corrupt --init-from, an
/// unreachable gateway. Each gets its documented exit code and one clear line, and the silo goes on serving.
/// The client runs in this process except where its exit code as a process is the point (an unreachable gateway: 3).
/// </summary>
public sealed class RemoteBadInputTests(RemoteBadInputTests.Cluster cluster) : IClassFixture<RemoteBadInputTests.Cluster>
{
    /// <summary>One silo, the synthetic dataset, and damaged copies of both dataset and model files (under the temp folder, a data root).</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public SiloProcess Silo { get; private set; } = null!;

        public SyntheticData Data { get; } = new();

        public string Work { get; } = Directory.CreateTempSubdirectory("thresher-bad-remote-").FullName;

        public string[] Gateway => ["--gateway", Silo.Gateway, "--cluster-id", "thresher-test"];

        /// <summary>{truncated}, {corrupt}, {model}, {wide}: the damaged (or mismatched) files the cases name.</summary>
        public string Expand(string arg) => arg
            .Replace("{truncated}", Path.Combine(Work, "truncated"), StringComparison.Ordinal)
            .Replace("{corrupt}", Path.Combine(Work, "corrupt"), StringComparison.Ordinal)
            .Replace("{model}", Path.Combine(Work, "corrupt.safetensors"), StringComparison.Ordinal)
            .Replace("{wide}", Path.Combine(Work, "wide.safetensors"), StringComparison.Ordinal)
            .Replace("{data}", Data.Directory, StringComparison.Ordinal);

        public async Task InitializeAsync()
        {
            string truncated = Copy("truncated"), corrupt = Copy("corrupt");
            using (var images = File.OpenWrite(Path.Combine(truncated, "train-images-idx3-ubyte")))
                images.SetLength(images.Length / 3);
            using (var labels = File.OpenWrite(Path.Combine(corrupt, "t10k-labels-idx1-ubyte")))
                labels.Write("garbage!"u8);
            File.WriteAllBytes(Path.Combine(Work, "corrupt.safetensors"), [8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x']);
            var wide = new Thresher.Core.Model.ParameterLayout(Thresher.Core.Model.MlpConfig.Parse("16,32,10")); // not the runs' 16,24,10
            Thresher.Core.ModelFiles.ModelFile.Save(Path.Combine(Work, "wide.safetensors"), wide, new float[wide.TotalLength]);
            Silo = await SiloProcess.StartAsync();
        }

        public async Task DisposeAsync()
        {
            await Silo.DisposeAsync();
            Data.Dispose();
            Directory.Delete(Work, recursive: true);
        }

        string Copy(string name)
        {
            string target = Directory.CreateDirectory(Path.Combine(Work, name)).FullName;
            foreach (string file in Directory.GetFiles(Data.Directory)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            return target;
        }
    }

    /// <summary>A small synthetic run, with <paramref name="options"/> in place of its own --data or --layers.</summary>
    string[] Small(string runId, params string[] options)
    {
        List<string> args = [.. options.Select(cluster.Expand), "--init", "he", "--lr", "0.5", "--run-id", runId];
        if (!options.Contains("--data")) args.AddRange(["--data", cluster.Data.Directory]);
        if (!options.Contains("--layers")) args.AddRange(["--layers", SyntheticData.Layers]);
        return [.. args];
    }

    [Theory]
    [InlineData("status")]
    [InlineData("cancel")]
    [InlineData("watch")]
    [InlineData("export", "--out", "{model}.never")]
    public async Task An_unknown_run_is_bad_input(string command, params string[] options)
    {
        var (code, stdout, stderr) = await Cli([command, "no-such-run", .. options.Select(cluster.Expand), .. cluster.Gateway]);
        AssertBadInput(2, "run 'no-such-run': no such run on this cluster — 'thresher runs' lists them", code, stdout, stderr);
        Assert.False(File.Exists(cluster.Expand("{model}.never")));
    }

    [Fact]
    public async Task Finished_and_cancelled_runs_refuse_cancel_and_keep_their_id()
    {
        var (code, stdout, stderr) = await Cli(["submit", .. Small("bad-done"), "--steps", "5", "--watch", .. cluster.Gateway]);
        Assert.True(code == 0, stdout + stderr);
        (code, stdout, stderr) = await Cli(["cancel", "bad-done", .. cluster.Gateway]);
        AssertBadInput(2, "run 'bad-done' is already completed; nothing to cancel", code, stdout, stderr);

        (code, stdout, stderr) = await Cli(["submit", .. Small("bad-long"), "--steps", "1000000", .. cluster.Gateway]);
        Assert.True(code == 0, stdout + stderr);
        (code, stdout, stderr) = await Cli(["cancel", "bad-long", .. cluster.Gateway]);
        Assert.True(code == 0, stdout + stderr);
        (code, stdout, stderr) = await Cli(["cancel", "bad-long", .. cluster.Gateway]);
        AssertBadInput(2, "run 'bad-long' is already cancelled; nothing to cancel", code, stdout, stderr);
        // watch follows a finished run to its end at once; the exit code is the run's (1: cancelled).
        (code, stdout, stderr) = await Cli(["watch", "bad-long", .. cluster.Gateway]);
        Assert.True(code == 1, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("cancelled", stdout, StringComparison.Ordinal);

        foreach (var (id, state) in new[] { ("bad-done", "completed"), ("bad-long", "cancelled") })
        {
            (code, stdout, stderr) = await Cli(["submit", .. Small(id), "--steps", "5", .. cluster.Gateway]);
            AssertBadInput(2, $"run-id '{id}': a run of that name already exists ({state}); pick another run id", code, stdout, stderr);
        }
    }

    [Theory]
    [InlineData("'cifar-100'", "--data", "cifar-100")]
    [InlineData("train-images-idx3-ubyte: expected 16016 bytes for 1000 images of 4x4, found 5338 — the file is truncated", "--data", "{truncated}")]
    [InlineData("t10k-labels-idx1-ubyte: wrong magic number", "--data", "{corrupt}")]
    [InlineData("layers '16,100000,10': size 100000 at position 2 is outside 1..16384", "--layers", "16,100000,10")]
    [InlineData("parameters exceed the limit of", "--layers", "16,16384,16384,10")]
    [InlineData("batch 65536 with layers 16,8192,4096,10: one step's activations need", "--layers", "16,8192,4096,10", "--batch", "65536", "--workers", "1")]
    [InlineData("workers 256 with layers 16,4096,4096,10: their gradients need", "--layers", "16,4096,4096,10", "--batch", "256", "--workers", "256")]
    [InlineData("corrupt.safetensors", "--init-from", "{model}")]
    [InlineData("w1: expected shape [16,24], file has [16,32]", "--init-from", "{wide}")] // issue 18, finding 7: it was 8 lines
    public async Task Bad_submissions_are_refused_and_leave_no_run(string message, params string[] options)
    {
        string runId = $"bad-{Guid.NewGuid():N}"[..16];
        var (code, stdout, stderr) = await Cli(["submit", .. Small(runId, options), "--steps", "5", .. cluster.Gateway]);
        AssertBadInput(2, message, code, stdout, stderr);
        (code, stdout, stderr) = await Cli(["status", runId, .. cluster.Gateway]);
        AssertBadInput(2, "no such run", code, stdout, stderr);
    }

    [Theory]
    [InlineData("submit", "--steps", "5")]
    [InlineData("cancel", "some-run")]
    [InlineData("export", "some-run", "--out", "x.safetensors")]
    public async Task An_unreachable_gateway_exits_3(params string[] command)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(null, TimeSpan.FromMinutes(2), [.. command, "--gateway", "127.0.0.1:1", "--connect-timeout", "2"]);
        AssertBadInput(3, "cannot reach a Thresher cluster at gateway 127.0.0.1:1 (cluster id 'thresher'): no answer within 2 s", code, stdout, stderr);
    }

    [Fact]
    public async Task After_bad_input_the_cluster_still_trains()
    {
        string[][] bads = [["--data", "{truncated}"], ["--init-from", "{model}"], ["--layers", "16,100000,10"], ["--data", "{corrupt}"], ["--data", "cifar-100"]];
        foreach (string[] bad in bads)
        {
            var (badCode, badOut, badErr) = await Cli(["submit", .. Small($"bad-{Guid.NewGuid():N}"[..16], bad), "--steps", "5", .. cluster.Gateway]);
            Assert.True(badCode == 2, $"{string.Join(' ', bad)}: exit {badCode}: {badOut}{badErr}");
        }
        string summary = Path.Combine(cluster.Work, "good.json");
        var (code, stdout, stderr) = await Cli(["submit", .. Small("good-after-bad"), "--steps", "30", "--workers", "2", "--watch", "--summary-json", summary, .. cluster.Gateway]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}\nsilo: {cluster.Silo.Output}");
        using (var json = JsonDocument.Parse(File.ReadAllText(summary)))
        {
            Assert.Equal("completed", json.RootElement.GetProperty("state").GetString());
            Assert.Equal(30, json.RootElement.GetProperty("steps").GetInt32());
        }
        (code, stdout, _) = await Cli(["runs", .. cluster.Gateway]);
        Assert.Equal(0, code);
        Assert.Contains("good-after-bad", stdout, StringComparison.Ordinal);
        Assert.False(cluster.Silo.HasExited, cluster.Silo.Output);
        Assert.DoesNotContain("   at ", cluster.Silo.Output, StringComparison.Ordinal); // bad input is not a silo error
    }

    /// <summary>The client in this process (the silo is a process of its own); the unreachable-gateway rows run the executable.</summary>
    static Task<(int Code, string Stdout, string Stderr)> Cli(string[] args) => CliRunner.Run(args);

    static void AssertBadInput(int exitCode, string message, int code, string stdout, string stderr)
    {
        Assert.True(code == exitCode, $"exit {code}, expected {exitCode}: {stdout}{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }
}
