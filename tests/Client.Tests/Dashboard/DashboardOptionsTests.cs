using System.Net;
using System.Net.Sockets;

namespace Thresher.Client.Tests.Dashboard;

/// <summary>The dashboard's options on both hosts: thresher-silo's switches, and `thresher train`'s embedded silo.</summary>
public sealed class DashboardOptionsTests : IClassFixture<SyntheticData>
{
    readonly SyntheticData _data;

    public DashboardOptionsTests(SyntheticData data) => _data = data;

    static Task<(int Code, string Stdout, string Stderr)> RunSilo(params string[] args)
        => CliRunner.RunSiloToExit(["--silo-port", $"{SiloProcess.FreePort()}", "--gateway-port", $"{SiloProcess.FreePort()}", .. args], null, TimeSpan.FromSeconds(60));

    [Theory]
    [InlineData("dashboard-port 'abc': expected a port number in 0..65535", "--dashboard-port", "abc")]
    [InlineData("dashboard-port '70000': expected a port number in 0..65535", "--dashboard-port", "70000")]
    [InlineData("dashboard-bind 'nowhere': not an IP address; expected e.g. 127.0.0.1", "--dashboard-bind", "nowhere")]
    [InlineData("--dashboard-port: missing value", "--dashboard-port")]
    [InlineData("dashboard-bind 192.0.2.7: not an address of this host", "--dashboard-bind", "192.0.2.7")]
    public async Task Bad_silo_dashboard_options_exit_2_with_one_line(string message, params string[] args)
    {
        var (code, stdout, stderr) = await RunSilo(args);
        Assert.True(code == 2, $"exit {code}; {stdout}{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("thresher-silo: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_dashboard_port_exits_3_naming_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, stdout, stderr) = await RunSilo("--dashboard-port", $"{port}");

        Assert.True(code == 3, $"exit {code}; {stdout}{stderr}");
        Assert.Contains($"thresher-silo: dashboard port {port} on 127.0.0.1 is already in use", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_silo_help_explains_the_dashboard_options()
    {
        var (code, stdout, _) = await CliRunner.RunSiloToExit(["--help"], null, TimeSpan.FromSeconds(60));
        Assert.Equal(0, code);
        foreach (var option in new[] { "--dashboard-port N", "--dashboard-bind IP", "--no-dashboard" })
            Assert.Contains(option, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_with_no_dashboard_prints_no_url_and_still_serves_runs()
    {
        await using var silo = await SiloProcess.StartAsync(); // the tests' default: --no-dashboard
        Assert.Null(silo.DashboardUrl);
        Assert.DoesNotContain("dashboard", silo.Output, StringComparison.Ordinal);
        var (code, stdout, stderr) = await CliRunner.RunExecutable("runs", "--gateway", silo.Gateway, "--cluster-id", "thresher-test");
        Assert.True(code == 0, $"exit {code}; {stdout}{stderr}");
    }

    [Fact]
    public async Task Train_prints_its_dashboard_url_unless_told_not_to()
    {
        string work = Directory.CreateTempSubdirectory("thresher-dashboard-").FullName;
        string[] train = ["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--steps", "5", "--batch", "16"];
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(work, TimeSpan.FromSeconds(120), [.. train, "--run-id", "web-on"]);
        Assert.True(code == 0, $"exit {code}; {stdout}{stderr}");
        Assert.Matches(@"dashboard: http://127\.0\.0\.1:\d+/runs/web-on", stdout);

        (code, stdout, stderr) = await CliRunner.RunExecutableIn(work, TimeSpan.FromSeconds(120), [.. train, "--run-id", "web-off", "--no-dashboard"]);
        Assert.True(code == 0, $"exit {code}; {stdout}{stderr}");
        Assert.DoesNotContain("dashboard:", stdout, StringComparison.Ordinal);
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task Train_on_a_taken_dashboard_port_exits_2_naming_it()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (code, stdout, stderr) = await CliRunner.RunExecutable("train", "--data", _data.Directory, "--layers", SyntheticData.Layers,
            "--steps", "2", "--dashboard-port", $"{port}");

        Assert.True(code == 2, $"exit {code}; {stdout}{stderr}");
        Assert.Contains($"dashboard 127.0.0.1:{port}:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_refuses_a_bad_dashboard_address()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable("train", "--data", _data.Directory, "--dashboard-bind", "nowhere");
        Assert.True(code == 2, $"exit {code}; {stdout}{stderr}");
        Assert.Contains("dashboard-bind 'nowhere': not an IP address", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
