using System.Diagnostics;
using Spectre.Console;

namespace Thresher.Client.Tests;

/// <summary>Runs the `thresher` CLI: in-process on a recording console, or as the real executable.</summary>
static class CliRunner
{
    /// <summary>The app on a plain, wide, non-interactive console; returns exit code and everything it printed.</summary>
    public static async Task<(int Code, string Output)> RunInProcess(params string[] args)
    {
        var (code, stdout, stderr) = await Run(args);
        return (code, stdout + stderr);
    }

    /// <summary>
    /// The app in this process, as the executable runs it (<see cref="ExitCodes.RunAsync(Spectre.Console.Cli.CommandApp, string[], TextWriter, CancellationToken)"/>):
    /// the console's output as stdout and the error line as stderr. For every case where no process boundary is under test.
    /// </summary>
    public static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(stdout),
        });
        console.Profile.Width = 240;
        int code = await ExitCodes.RunAsync(CliApp.Create(console), args, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>`dotnet exec thresher.dll ARGS` in <paramref name="workingDirectory"/> (default: current).</summary>
    public static Task<(int Code, string Stdout, string Stderr)> RunExecutable(params string[] args)
        => RunExecutableIn(null, TimeSpan.FromSeconds(120), args);

    public static Task<(int Code, string Stdout, string Stderr)> RunExecutableIn(string? workingDirectory, TimeSpan timeout, params string[] args)
        => RunToExit(DotnetExec(typeof(ExitCodes).Assembly.Location, args, workingDirectory), timeout);

    /// <summary>`dotnet exec thresher-silo.dll ARGS` with extra environment, run to its end: for silos that must refuse to start.</summary>
    public static Task<(int Code, string Stdout, string Stderr)> RunSiloToExit(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = DotnetExec(Path.Combine(AppContext.BaseDirectory, "thresher-silo.dll"), args);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return RunToExit(start, timeout);
    }

    /// <summary>Runs a process to its end; one still running after <paramref name="timeout"/> is a failure (and is killed).</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunToExit(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(start.ArgumentList.ElementAtOrDefault(1))} {string.Join(' ', start.ArgumentList.Skip(2))} ran longer than {timeout}; output so far: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A start description for `dotnet exec DLL ARGS` with plain, unwrapped output.</summary>
    public static ProcessStartInfo DotnetExec(string dll, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "400";
        return start;
    }
}
