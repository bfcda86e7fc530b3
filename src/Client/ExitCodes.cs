using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Cluster;
using Thresher.Client.Usage;

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
    public static Task<int> RunAsync(CommandApp app, string[] args, CancellationToken cancellation = default)
        => RunAsync(app, args, Console.Error, cancellation);

    /// <summary>As <see cref="RunAsync(CommandApp, string[], CancellationToken)"/>, with the error line written to <paramref name="errors"/> (tests: a StringWriter).</summary>
    public static async Task<int> RunAsync(CommandApp app, string[] args, TextWriter errors, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(errors);
        int Fail(string message, int code) => ExitCodes.Fail(message, code, errors);
        try
        {
            UsageErrors.Check(Tree.Value, args);
            return await app.RunAsync(args, cancellation).ConfigureAwait(false);
        }
        catch (CommandParseException e)
        {
            return Fail(UsageErrors.Describe(Tree.Value, args, e), BadInput);
        }
        catch (CommandRuntimeException e) when (e.InnerException is Commands.OptionValueException value)
        {
            return Fail(value.Describe(args), BadInput); // "lr 'abc': not a number", not Spectre's "Failed to convert"
        }
        catch (CommandRuntimeException e)
        {
            return Fail(UsageErrors.Describe(Tree.Value, args, e), BadInput);
        }
        catch (ThresherInputException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (ClusterUnreachableException e)
        {
            return Fail(e.Message, ClusterUnreachable);
        }
        catch (RunLostException e)
        {
            return Fail(e.Message, RunFailed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or an environment failure: one line for the user, the details for the bug report.
            if (Environment.GetEnvironmentVariable("THRESHER_DEBUG") is not null) errors.WriteLine(e);
            return Fail($"unexpected {e.GetType().Name}: {e.Message} (set THRESHER_DEBUG=1 for details)", RunFailed);
        }
    }

    /// <summary>The command tree the usage errors name commands and options from (read once, on first use).</summary>
    static readonly Lazy<CommandInfo> Tree = new(CommandInfo.Load);

    static int Fail(string message, int code, TextWriter errors)
    {
        bool terminal = ReferenceEquals(errors, Console.Error) && !Console.IsErrorRedirected;
        var err = AnsiConsole.Create(terminal
            ? new AnsiConsoleSettings { Out = new AnsiConsoleOutput(errors) }
            : new AnsiConsoleSettings { Out = new AnsiConsoleOutput(errors), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        // Redirected (logs, CI, tests): keep the message on one line, so paths in it are not cut at column 80.
        if (!terminal) err.Profile.Width = 4096;
        err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        return code;
    }
}
