namespace Thresher.Core.Data;

/// <summary>
/// Confines dataset directories named by remote submissions to the folders a silo serves data from, so a
/// run cannot make a silo read (or probe for) files elsewhere: <c>..</c> is resolved first, and a directory
/// that is a symbolic link is judged by where it points.
/// </summary>
public static class DataRoots
{
    /// <summary>The roots in a PATH-style list ("/data:/srv/datasets"), empty entries ignored.</summary>
    public static IReadOnlyList<string> Parse(string? list)
        => string.IsNullOrWhiteSpace(list) ? [] : list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies beneath it (after full-path resolution).</summary>
    public static bool IsWithin(string path, string root)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return full.Equals(top, StringComparison.Ordinal)
            || full.StartsWith(top + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || top == Path.GetPathRoot(top) && full.StartsWith(top, StringComparison.Ordinal);
    }

    /// <summary>
    /// Throws <see cref="ThresherInputException"/> unless <paramref name="directory"/> (and, when it is a link,
    /// its target) lies within one of <paramref name="roots"/>. Says nothing about whether it exists.
    /// </summary>
    public static void EnsureWithin(string directory, IReadOnlyList<string> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        string full = Path.GetFullPath(directory);
        string? target = Directory.Exists(full) ? new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName : null;
        if (roots.Any(r => IsWithin(full, r)) && (target is null || roots.Any(r => IsWithin(target, r)))) return;
        string allowed = roots.Count == 0 ? "none are configured" : string.Join(", ", roots);
        throw new ThresherInputException(
            $"data '{directory}': outside this silo's data directories ({allowed}) — put the dataset under one of them, name a known dataset (mnist, fashion-mnist), or start the silos with --data-root DIR");
    }
}
