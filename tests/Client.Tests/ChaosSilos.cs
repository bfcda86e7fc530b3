using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Thresher.Client.Tests;

/// <summary>thresher-silo processes with Redis membership and fast failure detection; killed or stopped by PID.</summary>
sealed class ChaosSilos : IAsyncDisposable
{
    readonly List<ChaosSilo> _silos;

    ChaosSilos(List<ChaosSilo> silos) => _silos = silos;

    public ChaosSilo this[int i] => _silos[i];

    public IEnumerable<ChaosSilo> Except(IEnumerable<ChaosSilo> others) => _silos.Except(others);

    public IEnumerable<ChaosSilo> Skip(int n) => _silos.Skip(n);

    /// <param name="settings">Environment settings over the fast ones (e.g. a longer response timeout for a large model).</param>
    public static async Task<ChaosSilos> StartAsync(string redis, string clusterId, int count, ITestOutputHelper log, IReadOnlyDictionary<string, string>? settings = null)
    {
        var silos = new List<ChaosSilo>();
        var all = new ChaosSilos(silos);
        try
        {
            for (int i = 0; i < count; i++) silos.Add(await ChaosSilo.StartAsync(redis, clusterId, settings));
        }
        catch
        {
            await all.DisposeAsync();
            throw;
        }
        log.WriteLine($"{count} silos: {string.Join(' ', silos.Select(s => s.Address))}");
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
    }
}

sealed class ChaosSilo : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    ChaosSilo(Process process, int siloPort, int gatewayPort) => (_process, Address, Gateway) = (process, $"127.0.0.1:{siloPort}", $"127.0.0.1:{gatewayPort}");

    public string Address { get; }

    public string Gateway { get; }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<ChaosSilo> StartAsync(string redis, string clusterId, IReadOnlyDictionary<string, string>? settings = null)
    {
        int siloPort = RedisServer.FreePorts(1), gatewayPort = RedisServer.FreePorts(1);
        var start = CliRunner.DotnetExec(Path.Combine(AppContext.BaseDirectory, "thresher-silo.dll"),
            ["--redis", redis, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--cluster-id", clusterId, "--service-id", clusterId, "--advertised-ip", "127.0.0.1", "--no-dashboard"]);
        foreach (var (key, value) in FastSettings) start.Environment[key] = value;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var silo = new ChaosSilo(process, siloPort, gatewayPort);
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (silo._output) silo._output.AppendLine(e.Data);
            if (e.Data.StartsWith("thresher-silo: cluster", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (silo._output) silo._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            await silo.DisposeAsync();
            throw new InvalidOperationException($"thresher-silo did not start: {silo._output}");
        }
        return silo;
    }

    /// <summary>Fast failure detection (README, Reliability): a killed silo is declared dead in ~1 s, a hung one in ~8 s.</summary>
    static readonly Dictionary<string, string> FastSettings = new()
    {
        ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
        ["Orleans__Membership__NumMissedProbesLimit"] = "2",
        ["Orleans__Membership__NumVotesForDeathDeclaration"] = "1",
        ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:02",
        ["Orleans__Messaging__ResponseTimeout"] = "00:00:10",
        ["THRESHER__RUNREMINDERSECONDS"] = "5", // a killed run grain's reminder wakes it on a survivor within ~5 s of its directory lease ending
    };

    /// <summary>kill -9.</summary>
    public void Kill() => Signal("KILL");

    public void Signal(string signal)
    {
        if (_process.HasExited) return;
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", $"{_process.Id}"]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        // THRESHER_CHAOS_LOGS=DIR keeps each silo's output (silo-ADDRESS-PID.log), e.g. to see where a test waited.
        if (Environment.GetEnvironmentVariable("THRESHER_CHAOS_LOGS") is { Length: > 0 } dir)
            lock (_output) File.WriteAllText(Path.Combine(dir, $"silo-{Address.Replace(':', '_')}-{_process.Id}.log"), _output.ToString());
        if (!_process.HasExited)
        {
            Signal("CONT");
            Signal("TERM");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                Signal("KILL");
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }
}
