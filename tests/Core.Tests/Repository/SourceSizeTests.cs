namespace Thresher.Core.Tests.Repository;

/// <summary>
/// The size rule for the repository's C# (src, tests, bench): a file holds at most 300 lines and a method body
/// at most 60 (brace line to brace line). The exceptions, each with its reason, are listed by name in
/// scripts/size-exceptions.txt; an entry that no longer matches an offender fails too, so the list stays true.
/// </summary>
public sealed class SourceSizeTests
{
    public const int MaxFileLines = 300;
    public const int MaxMethodLines = 60;
    static readonly string[] SourceFolders = ["src", "tests", "bench"];

    [Fact]
    public void Source_files_and_methods_stay_within_the_size_limits_or_are_listed_as_exceptions()
    {
        string root = RepositoryRoot();
        var exceptions = SizeExceptions.Read(Path.Combine(root, SizeExceptions.FileName));
        var offenders = Offenders(root).ToList();

        var unlisted = offenders.Where(o => !exceptions.ContainsKey(o.Key)).Select(o => o.Description).ToList();
        Assert.True(unlisted.Count == 0,
            $"{unlisted.Count} over the limits (split them, or list them with a reason in {SizeExceptions.FileName}):\n  {string.Join("\n  ", unlisted)}");
        var stale = exceptions.Keys.Except(offenders.Select(o => o.Key)).ToList();
        Assert.True(stale.Count == 0,
            $"{SizeExceptions.FileName} lists what is within the limits now (remove the lines): {string.Join(", ", stale)}");
    }

    [Fact]
    public void The_scan_measures_methods_past_braces_in_strings_chars_and_comments()
    {
        string body = string.Concat(Enumerable.Repeat("        x++;\n", 59));
        string source = "class C\n{\n    [Fact]\n    public static async Task<(int A, int B)> Long<T>(int x = 1) where T : new()\n    {\n"
            + "        string s = $\"{{ {string.Join(\"}\", new[] { \"{\" })} \\\" }\" + @\"}\"\"\" + '{' + \"\"\"\n }\n\"\"\"; // }\n"
            + "        /* { */ if (x > 0) { x--; }\n        var f = () => { return 1; };\n" + body
            + "    }\n    int Short() => new[] { 1 }.Length;\n    public C() : this(1) { }\n}\n";
        var methods = MethodBodies.In(CSharpSource.CodeOf(source)).ToList();
        // Long: its brace on line 5, a raw string over lines 6-8, 61 more lines, its closing brace on line 70.
        Assert.Equal([("Long", 5, 70), ("Short", 71, 71), ("C", 72, 72)], methods.Select(m => (m.Name, m.OpenLine, m.CloseLine)));
        Assert.Equal(66, methods[0].Lines);
    }

    [Fact]
    public void The_scan_finds_the_methods_of_this_repository()
    {
        // A scan that found nothing would pass everything.
        string root = RepositoryRoot();
        string self = File.ReadAllText(Path.Combine(root, "tests", "Core.Tests", "Repository", "SourceSizeTests.cs"));
        var names = MethodBodies.In(CSharpSource.CodeOf(self)).Select(m => m.Name).ToList();
        Assert.Contains(nameof(Source_files_and_methods_stay_within_the_size_limits_or_are_listed_as_exceptions), names);
        Assert.Contains(nameof(RepositoryRoot), names);
        int methods = SourceFiles(root).Sum(f => MethodBodies.In(CSharpSource.CodeOf(File.ReadAllText(f))).Count());
        Assert.True(methods > 500, $"only {methods} method bodies found in the repository's C# (about 900 when this was written)");
    }

    /// <summary>Files over <see cref="MaxFileLines"/> (key: path) and methods over <see cref="MaxMethodLines"/> (key: path#name).</summary>
    static IEnumerable<(string Key, string Description)> Offenders(string root)
    {
        foreach (string file in SourceFiles(root))
        {
            string path = Path.GetRelativePath(root, file).Replace('\\', '/');
            string text = File.ReadAllText(file);
            int lines = text.Split('\n').Length - (text.EndsWith('\n') ? 1 : 0);
            if (lines > MaxFileLines) yield return (path, $"{path}: {lines} lines (limit {MaxFileLines})");
            var seen = new HashSet<string>();
            foreach (var method in MethodBodies.In(CSharpSource.CodeOf(text)).Where(m => m.Lines > MaxMethodLines))
            {
                if (seen.Add(method.Name))
                    yield return ($"{path}#{method.Name}", $"{path}#{method.Name}: {method.Lines} lines from line {method.OpenLine} (limit {MaxMethodLines})");
            }
        }
    }

    static IEnumerable<string> SourceFiles(string root) =>
        SourceFolders.Select(f => Path.Combine(root, f)).Where(Directory.Exists)
            .SelectMany(f => Directory.EnumerateFiles(f, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "artifacts"))
            .Order(StringComparer.Ordinal);

    /// <summary>The checkout this test was built from: the first folder above the test binary holding Thresher.slnx.</summary>
    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Thresher.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Thresher.slnx above {AppContext.BaseDirectory}: the size check needs the checkout's sources");
    }
}
