namespace Thresher.Core.Tests.Repository;

/// <summary>
/// scripts/size-exceptions.txt: one exception a line, "PATH reason" for a file or "PATH#Method reason" for a
/// method, the reason required; '#' at the start of a line begins a comment.
/// </summary>
internal static class SizeExceptions
{
    public const string FileName = "scripts/size-exceptions.txt";

    /// <summary>Exception key (PATH or PATH#Method) → reason.</summary>
    public static Dictionary<string, string> Read(string path)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] parts = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || parts[1].Trim().Length == 0)
                throw new FormatException($"{FileName} line {i + 1}: '{line}' has no reason; write 'PATH[#Method] reason'");
            if (!entries.TryAdd(parts[0], parts[1].Trim()))
                throw new FormatException($"{FileName} line {i + 1}: {parts[0]} is listed twice");
        }
        return entries;
    }
}
