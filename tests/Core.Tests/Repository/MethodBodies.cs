namespace Thresher.Core.Tests.Repository;

/// <summary>A method (or constructor, or local function) body: its name and the lines of its braces, 1-based.</summary>
internal sealed record MethodBody(string Name, int OpenLine, int CloseLine)
{
    /// <summary>Lines from the opening brace to the closing brace, both included.</summary>
    public int Lines => CloseLine - OpenLine + 1;
}

/// <summary>
/// Finds method bodies in blanked C# code (<see cref="CSharpSource.CodeOf"/>) by matching braces: a block is a
/// method body when the text before its brace (since the last ';', '{' or '}', attributes dropped) reads as a
/// signature — words, then a name and a balanced parameter list at depth 0, then nothing but a where clause, a
/// base/this call or '=>' (an expression body such as "=> new() { … }") — and does not start with a statement
/// keyword or hold a '=' before the parameter list. A heuristic good for this repository's code, not a parser.
/// </summary>
internal static class MethodBodies
{
    static readonly HashSet<string> Statements =
    [
        "if", "else", "for", "foreach", "while", "do", "switch", "using", "lock", "catch", "try", "finally", "fixed",
        "checked", "unchecked", "return", "await", "throw", "yield", "new", "case", "get", "set", "init", "add", "remove",
    ];

    static readonly HashSet<string> NotNames = [.. Statements, "static", "async", "public", "private", "protected", "internal", "sizeof", "typeof", "nameof", "default"];

    static readonly HashSet<string> TypeDeclarations = ["class", "struct", "record", "interface", "enum", "delegate"];

    public static IEnumerable<MethodBody> In(string code)
    {
        var open = new Stack<(int Line, string? Name)>();
        int line = 1, headerStart = 0;
        for (int i = 0; i < code.Length; i++)
        {
            switch (code[i])
            {
                case '\n': line++; break;
                case ';': headerStart = i + 1; break;
                case '{':
                    open.Push((line, MethodName(code[headerStart..i])));
                    headerStart = i + 1;
                    break;
                case '}':
                    if (open.TryPop(out var block) && block.Name is { } name) yield return new MethodBody(name, block.Line, line);
                    headerStart = i + 1;
                    break;
            }
        }
    }

    /// <summary>The method's name when <paramref name="header"/> is a signature, else null.</summary>
    public static string? MethodName(string header)
    {
        string h = Normalize(header);
        if (h.Length == 0 || !Balanced(h) || Statements.Contains(FirstWord(h))) return null;
        int angle = 0, paren = 0;
        for (int i = 0; i < h.Length; i++)
        {
            char c = h[i];
            if (c == '<') angle++;
            else if (c == '>') angle--;
            else if (c == ')') paren--;
            else if (c == '=' && angle == 0 && paren == 0) return null; // an assignment, initializer or lambda
            else if (c == '(')
            {
                if (angle == 0 && paren == 0 && NameBefore(h, i) is { } name)
                    return IsSignature(h, i, name) ? name : null;
                paren++;
            }
        }
        return null;
    }

    static bool IsSignature(string h, int parameters, string name)
    {
        string before = h[..parameters].TrimEnd();
        string[] words = before.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || words.Any(TypeDeclarations.Contains)) return false; // return type or modifier, then the name
        string after = h[CloseOf(h, parameters)..].Trim();
        return after.Length == 0 || after.StartsWith("where ", StringComparison.Ordinal) || after.StartsWith("=>", StringComparison.Ordinal)
            || after.StartsWith(": base(", StringComparison.Ordinal) || after.StartsWith(": this(", StringComparison.Ordinal);
    }

    /// <summary>The identifier just before index <paramref name="at"/> (skipping generic arguments), unless it is a keyword.</summary>
    static string? NameBefore(string h, int at)
    {
        int i = at - 1;
        while (i >= 0 && h[i] == ' ') i--;
        if (i >= 0 && h[i] == '>')
        {
            for (int depth = 0; i >= 0; i--)
            {
                if (h[i] == '>') depth++;
                else if (h[i] == '<' && --depth == 0) break;
            }
            i--;
            while (i >= 0 && h[i] == ' ') i--;
        }
        int end = i + 1;
        while (i >= 0 && (char.IsLetterOrDigit(h[i]) || h[i] == '_')) i--;
        string name = h[(i + 1)..end];
        return name.Length > 0 && !char.IsDigit(name[0]) && !NotNames.Contains(name) ? name : null;
    }

    /// <summary>The index just past the parenthesis that closes the one at <paramref name="open"/>.</summary>
    static int CloseOf(string h, int open)
    {
        int depth = 0;
        for (int i = open; i < h.Length; i++)
        {
            if (h[i] == '(') depth++;
            else if (h[i] == ')' && --depth == 0) return i + 1;
        }
        return h.Length;
    }

    static bool Balanced(string h) => h.Count(c => c == '(') == h.Count(c => c == ')');

    static string FirstWord(string h) => new([.. h.TakeWhile(c => char.IsLetterOrDigit(c) || c == '_')]);

    /// <summary>One line of text: preprocessor lines and leading attributes dropped, whitespace collapsed.</summary>
    static string Normalize(string header)
    {
        var lines = header.Split('\n').Where(l => !l.TrimStart().StartsWith('#'));
        string h = string.Join(' ', string.Join(' ', lines).Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries));
        while (h.StartsWith('['))
        {
            int depth = 0, i = 0;
            for (; i < h.Length; i++)
            {
                if (h[i] == '[') depth++;
                else if (h[i] == ']' && --depth == 0) break;
            }
            h = h[Math.Min(i + 1, h.Length)..].TrimStart();
        }
        return h;
    }
}
