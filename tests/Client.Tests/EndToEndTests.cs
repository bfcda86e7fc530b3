using System.Text.Json;

namespace Thresher.Client.Tests;

/// <summary>
/// The cluster as processes: two thresher-silo processes on loopback (localhost clustering, the second
/// joining the first) and the thresher CLI talking to them through a gateway.
/// </summary>
public sealed class EndToEndTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-e2e-").FullName;

    public EndToEndTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Submit_runs_status_and_cancel_against_two_silo_processes()
    {
        await using var first = await SiloProcess.StartAsync();
        await using var second = await SiloProcess.StartAsync(primary: first);
        string[] cluster = ["--gateway", second.Gateway, "--cluster-id", "thresher-test"];

        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            ["submit", .. cluster, "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5",
             "--workers", "4", "--steps", "40", "--run-id", "e2e-small", "--watch", "--summary-json", "s.json"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_work, "s.json"))))
        {
            Assert.Equal(40, json.RootElement.GetProperty("steps").GetInt32());
            Assert.Equal(4, json.RootElement.GetProperty("workers").GetInt32());
        }

        (code, stdout, _) = await CliRunner.RunExecutable(["runs", .. cluster]);
        Assert.Equal(0, code);
        Assert.Contains("e2e-small", stdout, StringComparison.Ordinal);
        Assert.Contains("completed", stdout, StringComparison.Ordinal);

        (code, stdout, _) = await CliRunner.RunExecutable(["status", "e2e-small", .. cluster]);
        Assert.Equal(0, code);
        Assert.Contains("40/40", stdout, StringComparison.Ordinal);

        (code, _, stderr) = await CliRunner.RunExecutable(["cancel", "e2e-small", .. cluster]);
        Assert.Equal(2, code);
        Assert.Contains("already completed", stderr, StringComparison.Ordinal);

        // A remote submission may not make a silo read outside its data folders.
        (code, _, stderr) = await CliRunner.RunExecutable(["submit", .. cluster, "--data", "/usr", "--steps", "1"]);
        Assert.Equal(2, code);
        Assert.Contains("data '/usr': outside this silo's data directories", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await CliRunner.RunExecutable(["status", "no-such-run", .. cluster]);
        Assert.Equal(2, code);
        Assert.Contains("'no-such-run': no such run", stderr, StringComparison.Ordinal);

        // A long run submitted without --watch goes on after the CLI exits, and can be cancelled.
        (code, stdout, _) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1),
            ["submit", .. cluster, "--data", _data.Directory, "--layers", SyntheticData.Layers, "--steps", "1000000", "--run-id", "e2e-long"]);
        Assert.Equal(0, code);
        Assert.Contains("thresher status e2e-long", stdout, StringComparison.Ordinal);
        (code, stdout, _) = await CliRunner.RunExecutable(["cancel", "e2e-long", .. cluster]);
        Assert.Equal(0, code);
        Assert.Contains("cancelled", stdout, StringComparison.Ordinal);

        await second.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(second.HasExited, "the silo did not stop on SIGTERM");
        Assert.Equal(0, second.ExitCode);
    }

    [DataMnistFact]
    public async Task One_mnist_epoch_with_defaults_over_two_silo_processes_reaches_90_percent()
    {
        await using var first = await SiloProcess.StartAsync();
        await using var second = await SiloProcess.StartAsync(primary: first);
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(8),
            "submit", "--gateway", first.Gateway, "--cluster-id", "thresher-test", "--epochs", "1", "--run-id", "e2e-mnist", "--watch", "--summary-json", "mnist.json");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}\nsilo 1: {first.Output}\nsilo 2: {second.Output}");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_work, "mnist.json")));
        double accuracy = json.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= 0.90, $"test accuracy {accuracy}");
        Assert.Equal(468, json.RootElement.GetProperty("steps").GetInt32());
    }

    [Fact]
    public async Task An_unreachable_gateway_exits_3_and_names_it()
    {
        var (code, _, stderr) = await CliRunner.RunExecutable("runs", "--gateway", "127.0.0.1:1", "--connect-timeout", "3");
        Assert.Equal(3, code);
        Assert.Contains("127.0.0.1:1", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
