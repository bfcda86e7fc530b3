using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Cluster;

namespace Thresher.Client;

/// <summary>The CLI's documented exit codes, and the one place that turns exceptions into them.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;
    public const int ClusterUnreachable = 3;

    /// <summary>
    /// Runs the app. Bad usage or input prints one line on stderr and returns 2; an unreachable cluster
    /// returns 3. No stack trace reaches the user for either.
    /// </summary>
    public static async Task<int> RunAsync(CommandApp app, string[] args, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            return await app.RunAsync(args, cancellation).ConfigureAwait(false);
        }
        catch (CommandParseException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (CommandRuntimeException e) when (e.InnerException is Commands.OptionValueException value)
        {
            return Fail(value.Describe(args), BadInput); // "lr 'abc': not a number", not Spectre's "Failed to convert"
        }
        catch (CommandRuntimeException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (ThresherInputException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (ClusterUnreachableException e)
        {
            return Fail(e.Message, ClusterUnreachable);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or an environment failure: one line for the user, the details for the bug report.
            if (Environment.GetEnvironmentVariable("THRESHER_DEBUG") is not null) Console.Error.WriteLine(e);
            return Fail($"unexpected {e.GetType().Name}: {e.Message} (set THRESHER_DEBUG=1 for details)", RunFailed);
        }
    }

    static int Fail(string message, int code)
    {
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        // Redirected (logs, CI, tests): keep the message on one line, so paths in it are not cut at column 80.
        if (Console.IsErrorRedirected) err.Profile.Width = 4096;
        err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return code;
    }
}
