using System.Diagnostics;
using System.Text;

namespace Thresher.Client.Tests;

/// <summary>A `thresher watch`/`submit --watch` process followed from a test: its output so far, signals, its end.</summary>
sealed class WatchProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    public WatchProcess(params string[] args)
    {
        _process = Process.Start(CliRunner.DotnetExec(typeof(ExitCodes).Assembly.Location, args))!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    public void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", $"{_process.Id}"]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    /// <summary>Waits for the process to end; one still running after <paramref name="limit"/> fails the test (and is killed).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        await Wait.Until(() => _process.HasExited, limit, $"the watch process to exit");
        await _process.WaitForExitAsync(); // the output's last lines
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
