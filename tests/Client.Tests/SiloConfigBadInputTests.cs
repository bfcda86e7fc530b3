using System.Net;
using System.Net.Sockets;
using Thresher.Silo;

namespace Thresher.Client.Tests;

/// <summary>
/// thresher-silo started with bad settings, as switches or environment variables: each exits at once with the
/// documented code (2 bad configuration, 3 a port taken or Redis unreachable) and one line
/// "thresher-silo: …" on stderr naming the bad value — never a stack trace, never a silo left running.
/// The rows run the silo's entry point in this process (<see cref="SiloProgram.RunAsync"/>, what the executable runs,
/// on its own writers and environment); the executable is started where the process is what is tested: its exit code
/// and stderr, the process's environment, a port taken from outside, Redis unreachable, Orleans' own start.
/// </summary>
public sealed class SiloConfigBadInputTests
{
    [Theory]
    [InlineData(2, "SiloPort 'abc': expected a port number in 1..65535", "--silo-port", "abc")]
    [InlineData(2, "GatewayPort '0': expected a port number in 1..65535", "--gateway-port", "0")]
    [InlineData(2, "SiloPort '-1': expected a port number", "--silo-port", "-1")]
    [InlineData(2, "GatewayPort '70000': expected a port number", "--gateway-port", "70000")]
    [InlineData(2, "silo port and gateway port are both 31555", "--silo-port", "31555", "--gateway-port", "31555")]
    [InlineData(2, "advertised-ip '300.1.1.1': not an IP address", "--advertised-ip", "300.1.1.1")]
    [InlineData(2, "advertised-ip 192.0.2.7: not an address of this host", "--advertised-ip", "192.0.2.7")]
    [InlineData(2, "clustering 'zookeeper': unknown membership provider", "--clustering", "zookeeper")]
    [InlineData(2, "Thresher:RunReminderSeconds 'soon': expected whole seconds in 0..86400", "--run-reminder", "soon")]
    [InlineData(2, "Thresher:RunReminderSeconds '100000': expected whole seconds in 0..86400", "--run-reminder", "100000")]
    [InlineData(2, "Thresher:StorageOutageLimitSeconds '0': expected whole seconds in 1..86400", "--storage-outage-limit", "0")]
    [InlineData(2, "redis '127.0.0.1:6379' was given with clustering 'localhost'", "--clustering", "localhost", "--redis", "127.0.0.1:6379")]
    [InlineData(2, "primary 'nowhere': expected HOST:PORT", "--primary", "nowhere")]
    [InlineData(2, "primary '127.0.0.1': expected HOST:PORT", "--primary", "127.0.0.1")]
    [InlineData(2, "primary '127.0.0.1:11111': only localhost clustering has a primary", "--redis", "127.0.0.1:1", "--primary", "127.0.0.1:11111")]
    [InlineData(2, "Thresher:Kubernetes 'maybe': expected true, false or auto", "--kubernetes", "maybe")]
    [InlineData(2, "ListenOnAnyHostAddress 'yes': expected true or false", "--listen-any", "yes")]
    [InlineData(2, "telemetry 'zipkin': unknown exporter", "--telemetry", "zipkin")]
    [InlineData(2, "backend 'tpu': unknown; expected cpu, cuda or auto", "--backend", "tpu")]
    [InlineData(2, "gpu-math 'fp16': unknown; expected fp32 or tf32", "--gpu-math", "fp16")]
    [InlineData(2, "gpu-math 'tf32': needs a GPU with cuBLAS, but the backend is cpu", "--gpu-math", "tf32")]
    [InlineData(2, "WorkerThreads '-1': expected a whole number in 0..1024", "--worker-threads", "-1")]
    [InlineData(2, "WorkerThreads 'abc': expected a whole number in 0..1024", "--worker-threads", "abc")]
    [InlineData(2, "WorkerThreads '100000': expected a whole number in 0..1024", "--worker-threads", "100000")]
    [InlineData(2, "DataDirectory '/etc/passwd': a file, not a folder", "--data-dir", "/etc/passwd")]
    [InlineData(2, "DataRoots '/nonexistent/thresher-root': no such folder", "--data-root", "/nonexistent/thresher-root")]
    [InlineData(2, "unknown option '--silo-prot'; 'thresher-silo --help' lists the options", "--silo-prot", "1")]
    [InlineData(2, "unknown option '--workers'", "--workers=4")]
    [InlineData(2, "unexpected argument 'start'", "start")]
    [InlineData(2, "--backend: missing value", "--backend")]
    [InlineData(2, "redis 'nonsense=1': not a Redis address", "--redis", "nonsense=1")]
    public async Task Bad_switches_stop_the_silo_with_one_line(int exitCode, string message, params string[] args)
    {
        var (code, stdout, stderr) = await RunSiloInProcess(args, []);
        AssertRefused(exitCode, message, code, stdout, stderr);
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal); // refused before Orleans logs anything
    }

    [Theory]
    [InlineData(2, "Thresher:EvaluationThreads '0'", "THRESHER__EVALUATIONTHREADS", "0")]
    [InlineData(2, "Orleans:Endpoints:SiloPort '-1'", "Orleans__Endpoints__SiloPort", "-1")]
    [InlineData(2, "Orleans:Endpoints:GatewayPort 'x'", "Orleans__Endpoints__GatewayPort", "x")]
    [InlineData(2, "clustering 'etcd'", "Orleans__Clustering__ProviderType", "etcd")]
    [InlineData(2, "telemetry 'jaeger'", "THRESHER__TELEMETRY", "jaeger")]
    [InlineData(2, "DataRoots '/nonexistent/env-root'", "THRESHER__DATAROOTS", "/nonexistent/env-root")]
    public async Task Bad_environment_variables_stop_the_silo_with_one_line(int exitCode, string message, string variable, string value)
    {
        var (code, stdout, stderr) = await RunSiloInProcess([], new() { [variable] = value });
        AssertRefused(exitCode, message, code, stdout, stderr);
    }

    /// <summary>The executable: its real exit code and stderr, the process's environment read by the real provider, Redis refusing a connection.</summary>
    [Theory]
    [InlineData(2, "SiloPort 'abc': expected a port number in 1..65535", "--silo-port abc", null, null)]
    [InlineData(2, "Thresher:WorkerThreads 'abc'", "", "THRESHER__WORKERTHREADS", "abc")]
    [InlineData(3, "cannot reach redis at 127.0.0.1:1", "--redis 127.0.0.1:1", null, null)]
    [InlineData(3, "cannot reach redis at 127.0.0.1:1", "", "Orleans__Clustering__ConnectionString", "127.0.0.1:1")]
    public async Task The_executable_refuses_with_its_exit_code_and_one_line(int exitCode, string message, string switches, string? variable, string? value)
    {
        string[] args = switches.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (code, stdout, stderr) = await RunSilo(args, variable is null ? [] : new() { [variable] = value! });
        AssertRefused(exitCode, message, code, stdout, stderr);
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gateway", "--gateway-port")]
    [InlineData("silo", "--silo-port")]
    public async Task A_port_in_use_exits_3_naming_it(string what, string option)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, stdout, stderr) = await RunSilo([option, $"{port}"], []);
        AssertRefused(3, $"{what} port {port} on 127.0.0.1 is already in use", code, stdout, stderr);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_clash_found_only_by_orleans_still_exits_3_without_a_stack_trace_on_stderr()
    {
        // 'auto' leaves the listening address to Orleans, so the clash surfaces from its start, not the pre-check.
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, stdout, stderr) = await RunSilo(["--advertised-ip", "auto", "--gateway-port", $"{port}"], []);
        AssertRefused(3, $"gateway port {port} is already in use", code, stdout, stderr);
    }

    [Fact]
    public async Task Configuration_keys_and_good_values_are_accepted()
    {
        await using var silo = await SiloProcess.StartAsync(extraArgs:
            ["--Orleans:Membership:ProbeTimeout", "00:00:02", "--worker-threads", "1024", "--data-root", Path.GetTempPath(), "--listen-any=false"]);
        Assert.False(silo.HasExited);
    }

    static void AssertRefused(int exitCode, string message, int code, string stdout, string stderr)
    {
        Assert.True(code == exitCode, $"exit {code}, expected {exitCode}; stderr: {stderr}\nstdout: {stdout}");
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith("thresher-silo: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs thresher-silo on free ports (unless the case sets them) and waits for it to exit: every case must
    /// be refused at start, so one still running after the limit is a failure (and is killed).
    /// </summary>
    static Task<(int Code, string Stdout, string Stderr)> RunSilo(string[] args, Dictionary<string, string> environment)
        => CliRunner.RunSiloToExit(WithFreePorts(args, environment), environment, TimeSpan.FromSeconds(30));

    /// <summary>
    /// As <see cref="RunSilo"/>, through the entry point in this process with <paramref name="environment"/> as its whole
    /// environment; a silo that starts anyway is stopped after the limit and the row fails on its exit code (0).
    /// </summary>
    static async Task<(int Code, string Stdout, string Stderr)> RunSiloInProcess(string[] args, Dictionary<string, string> environment)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int code = await SiloProgram.RunAsync([.. WithFreePorts(args, environment)], stdout, stderr, environment, limit.Token);
        return (code, stdout.ToString(), stderr.ToString());
    }

    static List<string> WithFreePorts(string[] args, Dictionary<string, string> environment)
    {
        List<string> all = [];
        bool portsGiven = args.Any(a => a.Contains("-port", StringComparison.Ordinal)) || environment.Keys.Any(k => k.Contains("Port", StringComparison.Ordinal));
        if (!portsGiven) all.AddRange(["--silo-port", $"{SiloProcess.FreePort()}", "--gateway-port", $"{SiloProcess.FreePort()}"]);
        all.AddRange(args);
        return all;
    }
}
