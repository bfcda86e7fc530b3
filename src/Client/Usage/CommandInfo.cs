using System.Xml.Linq;
using Spectre.Console;

namespace Thresher.Client.Usage;

/// <summary>An option of a command: its long and short names, and its value's name (null for a flag).</summary>
public sealed record OptionInfo(string Long, string? Short, string? Value)
{
    public bool TakesValue => Value is not null;
}

/// <summary>
/// One node of the `thresher` command tree: its words ("data fetch"), options, positional arguments and
/// sub-commands. Read from the app itself, through Spectre's `cli xmldoc` (the model Spectre parses with), so it
/// cannot drift from what the parser accepts; the usage errors use it for their "did you mean" and the tests to cover
/// every command.
/// </summary>
public sealed record CommandInfo(string Path, bool IsBranch, IReadOnlyList<OptionInfo> Options, IReadOnlyList<string> Arguments, IReadOnlyList<CommandInfo> Children)
{
    /// <summary>The tree of <see cref="CliApp"/>: the root (no words) and every command below it.</summary>
    public static CommandInfo Load()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 100_000; // one element per line, never wrapped
        CliApp.Create(console).Run(["cli", "xmldoc"]);
        var model = XDocument.Parse(writer.ToString()).Root ?? throw new InvalidOperationException("cli xmldoc printed no model");
        return new CommandInfo("", true, [], [], [.. model.Elements("Command").Select(c => Read(c, ""))]);
    }

    static CommandInfo Read(XElement command, string parent)
    {
        string path = (parent + " " + (string?)command.Attribute("Name")).Trim();
        var parameters = command.Element("Parameters");
        var options = parameters?.Elements("Option").Select(o => new OptionInfo(
            (string?)o.Attribute("Long") ?? "",
            (string?)o.Attribute("Short") is { Length: > 0 } s ? s : null,
            (string?)o.Attribute("Kind") == "flag" ? null : (string?)o.Attribute("Value"))) ?? [];
        var arguments = parameters?.Elements("Argument").Select(a => (string?)a.Attribute("Name") ?? "") ?? [];
        return new CommandInfo(path, (string?)command.Attribute("IsBranch") == "true", [.. options], [.. arguments],
            [.. command.Elements("Command").Select(c => Read(c, path))]);
    }

    /// <summary>Every command that runs (not a branch), depth first.</summary>
    public IEnumerable<CommandInfo> Leaves => IsBranch ? Children.SelectMany(c => c.Leaves) : [this];

    /// <summary>The deepest command that the leading words of <paramref name="args"/> name (this node when none does).</summary>
    public CommandInfo Find(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var node = this;
        foreach (string word in args)
        {
            var child = node.Children.FirstOrDefault(c => c.Path.Split(' ')[^1].Equals(word, StringComparison.OrdinalIgnoreCase));
            if (child is null) break;
            node = child;
        }
        return node;
    }

    /// <summary>"'thresher train'" (or "'thresher'" for the root), quoted for messages.</summary>
    public string Usage => Path.Length == 0 ? "'thresher'" : $"'thresher {Path}'";
}
