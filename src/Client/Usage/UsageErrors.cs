using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace Thresher.Client.Usage;

/// <summary>
/// The CLI's strictness: an unknown option, a missing value or an extra argument is one line naming it (and the
/// closest option or command when one is near: "did you mean --epochs?"), exit 2. Spectre's strict parser finds
/// unknown options and extra arguments; <see cref="Check"/> finds what it lets through (an option given no value,
/// which Spectre fills with an internal token, and anything after "--", which it hands to no command).
/// </summary>
public static partial class UsageErrors
{
    /// <summary>Throws <see cref="ThresherInputException"/> for an option of the named command given no value, or for "--".</summary>
    public static void Check(CommandInfo root, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        var command = root.Find(args);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
                throw new ThresherInputException($"'--': {command.Usage} takes nothing after '--'{Arguments(command)}");
            if (!arg.StartsWith('-') || IsNumber(arg)) continue;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            var option = Option(command, equals < 0 ? arg : arg[..equals]);
            if (option is not { TakesValue: true }) continue; // a flag, or unknown: Spectre's strict parser names it
            bool missing = equals >= 0 ? equals == arg.Length - 1 : i + 1 == args.Count || (args[i + 1].StartsWith('-') && !IsNumber(args[i + 1]));
            if (missing)
                throw new ThresherInputException($"option --{option.Long} of {command.Usage} needs a value: --{option.Long} <{option.Value}>");
            if (equals < 0) i++; // skip the value, which may look like anything
        }
    }

    /// <summary>One line for a parse error of Spectre's: what was wrong, where, and the nearest right word.</summary>
    public static string Describe(CommandInfo root, IReadOnlyList<string> args, CommandAppException error)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        var command = root.Find(args);
        if (UnknownOption().Match(error.Message) is { Success: true } unknown)
        {
            string name = unknown.Groups[1].Value;
            string typed = args.Any(a => a == $"--{name}" || a.StartsWith($"--{name}=", StringComparison.Ordinal)) ? $"--{name}" : $"-{name}";
            var near = NearestWord.Find(name, command.Options.Select(o => o.Long));
            return $"unknown option '{typed}' for {command.Usage}; " + (near is null ? $"{Help(command)} lists its options" : $"did you mean --{near}?");
        }
        if (UnknownCommand().Match(error.Message) is { Success: true } word)
        {
            string value = word.Groups[1].Value;
            if (!command.IsBranch) return $"unexpected argument '{value}' for {command.Usage}{Arguments(command)}";
            var near = NearestWord.Find(value, command.Children.Select(c => c.Path.Split(' ')[^1]));
            return $"unknown command '{value}' for {command.Usage}; " + (near is null ? $"{Help(command)} lists its commands" : $"did you mean {near}?");
        }
        if (UnmatchedArgument().Match(error.Message) is { Success: true } extra)
            return $"unexpected argument '{extra.Groups[1].Value}' for {command.Usage}{Arguments(command)}";
        if (MissingArgument().Match(error.Message) is { Success: true } missing)
            return $"{command.Usage} needs its argument {missing.Groups[1].Value}: thresher {command.Path} {string.Join(' ', command.Arguments)} [options]";
        return error.Message;
    }

    static OptionInfo? Option(CommandInfo command, string token) => token.StartsWith("--", StringComparison.Ordinal)
        ? command.Options.FirstOrDefault(o => o.Long.Equals(token[2..], StringComparison.OrdinalIgnoreCase))
        : command.Options.FirstOrDefault(o => o.Short is not null && o.Short == token[1..]);

    static string Help(CommandInfo command) => command.Path.Length == 0 ? "'thresher --help'" : $"'thresher {command.Path} --help'";

    static string Arguments(CommandInfo command) => command.Arguments.Count == 0
        ? " (it takes no arguments; options start with --)"
        : $" (it takes {string.Join(' ', command.Arguments)})";

    static bool IsNumber(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    [GeneratedRegex(@"^Unknown option '(.+)'\.$")]
    private static partial Regex UnknownOption();

    [GeneratedRegex(@"^Unknown command '(.+)'\.$")]
    private static partial Regex UnknownCommand();

    [GeneratedRegex(@"^Could not match '(.+)' with an argument\.$")]
    private static partial Regex UnmatchedArgument();

    [GeneratedRegex(@"is missing required argument '(.+)'\.$")]
    private static partial Regex MissingArgument();
}
