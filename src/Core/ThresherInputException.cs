namespace Thresher;

/// <summary>
/// Bad input from a user: a file, an option, a configuration value. The message names the value and what
/// to do; hosts print it without a stack trace (the CLI exits with code 2).
/// </summary>
public class ThresherInputException : Exception
{
    public ThresherInputException() { }
    public ThresherInputException(string message) : base(message) { }
    public ThresherInputException(string message, Exception inner) : base(message, inner) { }
}
