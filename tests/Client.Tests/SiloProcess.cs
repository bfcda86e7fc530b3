using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Thresher.Client.Tests;

/// <summary>A real `thresher-silo` process on loopback, stopped (and waited for) on dispose.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    SiloProcess(Process process, int siloPort, int gatewayPort)
    {
        _process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The web dashboard's address (from its "thresher-silo: dashboard URL" line), e.g. http://127.0.0.1:40123/; null when off.</summary>
    public Uri? DashboardUrl { get; private set; }

    /// <summary>
    /// Starts a silo; with <paramref name="primary"/> it joins that silo's cluster. Returns once it listens. Its web
    /// dashboard is off unless <paramref name="dashboard"/> (then on a free port): tests run side by side, and the
    /// default port 8080 could be taken.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(SiloProcess? primary = null, string clusterId = "thresher-test", IEnumerable<string>? extraArgs = null, bool dashboard = false)
    {
        int siloPort = FreePort(), gatewayPort = FreePort();
        string dll = Path.Combine(AppContext.BaseDirectory, "thresher-silo.dll");
        List<string> args = ["--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--cluster-id", clusterId, "--service-id", clusterId];
        args.AddRange(dashboard ? ["--dashboard-port", "0"] : ["--no-dashboard"]);
        if (primary is not null) args.AddRange(["--primary", $"127.0.0.1:{primary.SiloPort}"]);
        if (extraArgs is not null) args.AddRange(extraArgs);
        var process = Process.Start(CliRunner.DotnetExec(dll, args))!;
        var silo = new SiloProcess(process, siloPort, gatewayPort);
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) => silo.Collect(e.Data, ready);
        process.ErrorDataReceived += (_, e) => silo.Collect(e.Data, null);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (started != ready.Task)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"thresher-silo did not start listening: {silo.Output}");
        }
        return silo;
    }

    void Collect(string? line, TaskCompletionSource? ready)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        const string Dashboard = "thresher-silo: dashboard ";
        if (line.StartsWith(Dashboard, StringComparison.Ordinal)) DashboardUrl = new Uri(line[Dashboard.Length..]);
        if (ready is not null && line.StartsWith("thresher-silo: cluster", StringComparison.Ordinal)) ready.TrySetResult();
    }

    /// <summary>SIGTERM, as a service manager stops it; kill if it does not exit in time.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        Terminate(_process.Id);
        using var limit = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    static void Terminate(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", $"{pid}"]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
