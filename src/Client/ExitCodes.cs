using Spectre.Console;
using Spectre.Console.Cli;

namespace Thresher.Client;

/// <summary>The CLI's documented exit codes, and the one place that turns exceptions into them.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;
    public const int ClusterUnreachable = 3;

    /// <summary>Runs the app; a usage or input error prints one line on stderr (no stack trace) and returns 2.</summary>
    public static async Task<int> RunAsync(CommandApp app, string[] args)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            return await app.RunAsync(args).ConfigureAwait(false);
        }
        catch (CommandParseException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (CommandRuntimeException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (ThresherInputException e)
        {
            return Fail(e.Message, BadInput);
        }
    }

    static int Fail(string message, int code)
    {
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return code;
    }
}
