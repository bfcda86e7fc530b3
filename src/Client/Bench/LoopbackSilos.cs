using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Thresher.Client.Bench;

/// <summary>
/// N real thresher-silo processes on loopback with localhost clustering (the first is the primary; no Redis), for
/// `thresher bench --only scale`. Started in order, each awaited until it prints its "thresher-silo: cluster" line;
/// stopped by PID (SIGTERM, then kill after a grace period) on dispose, so none outlives the benchmark.
/// </summary>
public sealed class LoopbackSilos : IAsyncDisposable
{
    readonly List<Process> _processes = [];

    LoopbackSilos(string gateway) => Gateway = gateway;

    /// <summary>The primary's gateway, HOST:PORT: a client connected there gets its run grain and parameter server on the primary.</summary>
    public string Gateway { get; }

    public const string ClusterId = "thresher-bench-scale";

    /// <param name="count">Silo processes, ≥ 1.</param>
    /// <param name="dataDirectory">The dataset cache (null: the silo's default); <paramref name="dataRoot"/>: a further folder runs may name.</param>
    public static async Task<LoopbackSilos> StartAsync(int count, string? dataDirectory, string? dataRoot, CancellationToken cancellation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        string silo = SiloExecutable();
        int primaryPort = FreePort();
        int gateway = FreePort();
        var silos = new LoopbackSilos($"127.0.0.1:{gateway.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            for (int i = 0; i < count; i++)
            {
                int siloPort = i == 0 ? primaryPort : FreePort();
                List<string> args = ["--silo-port", $"{siloPort}", "--gateway-port", $"{(i == 0 ? gateway : FreePort())}", "--cluster-id", ClusterId,
                    "--service-id", ClusterId, "--no-dashboard", "--run-reminder", "0"];
                if (i > 0) args.AddRange(["--primary", $"127.0.0.1:{primaryPort}"]);
                if (dataDirectory is not null) args.AddRange(["--data-dir", dataDirectory]);
                if (dataRoot is not null) args.AddRange(["--data-root", dataRoot]);
                await silos.StartOneAsync(silo, args, cancellation).ConfigureAwait(false);
            }
            return silos;
        }
        catch
        {
            await silos.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    async Task StartOneAsync(string silo, List<string> args, CancellationToken cancellation)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (silo.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) info.ArgumentList.Add("exec");
        else info.FileName = silo;
        if (info.FileName == "dotnet") info.ArgumentList.Add(silo);
        foreach (string a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {silo}");
        _processes.Add(process);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        void Collect(string? line)
        {
            if (line is null) return;
            lock (log) log.AppendLine(line);
            if (line.StartsWith("thresher-silo: cluster", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var first = await Task.WhenAny(ready.Task, process.WaitForExitAsync(cancellation), Task.Delay(StartTimeout, cancellation)).ConfigureAwait(false);
        cancellation.ThrowIfCancellationRequested();
        if (first != ready.Task)
        {
            string output;
            lock (log) output = log.ToString();
            throw new InvalidOperationException($"thresher-silo ({silo}) did not start within {StartTimeout.TotalSeconds:F0} s: {output.Trim()}");
        }
    }

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// $THRESHER_SILO, else thresher-silo beside this program (a publish folder), else the build tree's
    /// artifacts/bin/Thresher.Silo/&lt;configuration&gt;/thresher-silo.dll next to this program's artifacts folder.
    /// </summary>
    static string SiloExecutable()
    {
        if (Environment.GetEnvironmentVariable("THRESHER_SILO") is { Length: > 0 } configured)
            return File.Exists(configured) ? configured : throw new ThresherInputException($"THRESHER_SILO={configured}: no such file");
        string here = AppContext.BaseDirectory;
        string configuration = new DirectoryInfo(here).Name; // artifacts/bin/Thresher.Client/<configuration>/
        string[] candidates =
        [
            Path.Combine(here, "thresher-silo.dll"),
            Path.Combine(here, "..", "..", "Thresher.Silo", configuration, "thresher-silo.dll"),
        ];
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists)
            ?? throw new ThresherInputException($"bench scale needs thresher-silo and found none ({string.Join(", ", candidates.Select(Path.GetFullPath))}); build it (dotnet build src/Silo -c Release) or set THRESHER_SILO");
    }

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM to every silo at once, then each awaited for 20 s and killed if still running.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes.Where(p => !p.HasExited))
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", p.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit();
        }
        foreach (var p in _processes)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await p.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            p.Dispose();
        }
        _processes.Clear();
    }
}
