using System.Text;

namespace Thresher.Core.Tests.Repository;

/// <summary>
/// C# source with every comment, string and char literal blanked (line breaks kept), so that the braces left
/// are the code's own and can be matched. Handles verbatim, interpolated (holes with nested strings) and raw
/// string literals.
/// </summary>
internal sealed class CSharpSource
{
    readonly string _text;
    readonly StringBuilder _code;
    int _at;

    CSharpSource(string text)
    {
        _text = text;
        _code = new StringBuilder(text.Length);
    }

    /// <summary>The code of <paramref name="text"/> with comments and literals replaced by spaces.</summary>
    public static string CodeOf(string text)
    {
        var source = new CSharpSource(text);
        source.Code(inHole: false);
        return source._code.ToString();
    }

    char At(int offset) => _at + offset < _text.Length ? _text[_at + offset] : '\0';

    /// <summary>Copies code up to the end, or, inside an interpolation hole, up to the hole's closing brace.</summary>
    void Code(bool inHole)
    {
        int depth = 0;
        while (_at < _text.Length)
        {
            char c = At(0);
            if (inHole && c == '}' && depth == 0) return;
            if (c == '/' && At(1) == '/') BlankUntil("\n", keepEnd: true);
            else if (c == '/' && At(1) == '*') BlankUntil("*/", keepEnd: false);
            else if (c == '\'') CharLiteral();
            else if (c == '"' || (c is '@' or '$' && IsStringStart())) StringLiteral();
            else
            {
                if (c == '{') depth++;
                else if (c == '}') depth--;
                Copy();
            }
        }
    }

    bool IsStringStart()
    {
        int i = 0;
        while (At(i) is '@' or '$') i++;
        return At(i) == '"';
    }

    void Copy() => _code.Append(_text[_at++]);

    void Blank() => _code.Append(_text[_at++] == '\n' ? '\n' : ' ');

    void BlankUntil(string end, bool keepEnd)
    {
        while (_at < _text.Length && string.CompareOrdinal(_text, _at, end, 0, end.Length) != 0) Blank();
        if (keepEnd) return;
        for (int i = 0; i < end.Length && _at < _text.Length; i++) Blank();
    }

    void CharLiteral()
    {
        Blank();
        while (_at < _text.Length && At(0) != '\'')
        {
            if (At(0) == '\\') Blank();
            Blank();
        }
        if (_at < _text.Length) Blank();
    }

    void StringLiteral()
    {
        bool verbatim = false, interpolated = false;
        while (At(0) is '@' or '$')
        {
            verbatim |= At(0) == '@';
            interpolated |= At(0) == '$';
            Blank();
        }
        int quotes = 0;
        while (At(quotes) == '"') quotes++;
        if (quotes >= 3)
        {
            for (int i = 0; i < quotes; i++) Blank();
            BlankUntil(new string('"', quotes), keepEnd: false); // raw: no escapes; holes are taken as text
            return;
        }
        Blank(); // the opening quote
        while (_at < _text.Length)
        {
            char c = At(0);
            if (c == '"' && verbatim && At(1) == '"') { Blank(); Blank(); }
            else if (c == '"') { Blank(); return; }
            else if (c == '\\' && !verbatim) { Blank(); Blank(); }
            else if (interpolated && c == '{' && At(1) == '{') { Blank(); Blank(); }
            else if (interpolated && c == '{')
            {
                Blank();
                Code(inHole: true);
                if (_at < _text.Length) Blank(); // the hole's closing brace
            }
            else Blank();
        }
    }
}
