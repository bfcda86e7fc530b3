namespace Thresher.Client.Commands;

/// <summary>An option's value that is not of its type: the value and why (the option's name is added by ExitCodes).</summary>
public sealed class OptionValueException(string value, string reason) : FormatException($"'{value}': {reason}")
{
    public string Value { get; } = value;

    public string Reason { get; } = reason;

    /// <summary>
    /// "lr 'abc': not a number": the option that <paramref name="args"/> gave <see cref="Value"/> to (as "--lr abc",
    /// "--lr=abc" or "--lr:abc"), else the value alone.
    /// </summary>
    public string Describe(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith('-')) continue;
            int separator = a.IndexOfAny(['=', ':']);
            if (separator > 0 && a[(separator + 1)..] == Value) return $"{a[..separator].TrimStart('-')} '{Value}': {Reason}";
            if (separator < 0 && i + 1 < args.Count && args[i + 1] == Value) return $"{a.TrimStart('-')} '{Value}': {Reason}";
        }
        return Message;
    }
}
