using System.Text.Json;
using Thresher.Client.Output;

namespace Thresher.Client.Tests;

/// <summary>
/// The response ladder with workers on two silo processes: a NaN injected into worker 1's gradient is attributed to
/// worker 1 by a replay on another worker, with verdict fault; its part is replaced, so the run's losses equal an
/// undisturbed run's step for step; the suspect silo is in the summary and in `status`.
/// </summary>
public sealed class SpikeEndToEndTests(SyntheticData data) : IClassFixture<SyntheticData>, IDisposable
{
    readonly string _work = Directory.CreateTempSubdirectory("thresher-spike-e2e-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_faulty_worker_on_two_silos_is_found_by_replay_and_the_run_equals_an_undisturbed_one()
    {
        await using var first = await SiloProcess.StartAsync();
        await using var second = await SiloProcess.StartAsync(primary: first);
        string[] cluster = ["--gateway", second.Gateway, "--cluster-id", "thresher-test"];
        string[] run = ["--data", data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--workers", "4", "--steps", "30",
                        "--on-spike", "skip", "--spike-window", "40", "--spike-min-history", "20", "--watch"];

        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            ["submit", .. cluster, .. run, "--inject", "worker:1:nan@25", "--run-id", "e2e-faulty", "--metrics-out", "faulty.csv", "--summary-json", "faulty.json"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            ["submit", .. cluster, .. run, "--run-id", "e2e-clean", "--metrics-out", "clean.csv"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        var (_, faulty) = MetricsCsv.Read(Path.Combine(_work, "faulty.csv"));
        var (_, clean) = MetricsCsv.Read(Path.Combine(_work, "clean.csv"));
        var spiked = Assert.Single(faulty, s => s.Spike is not null);
        Assert.Equal((25L, 1, "fault", "none", false), (spiked.Step, spiked.Culprit, spiked.Verdict, spiked.Action, spiked.Skipped));
        Assert.Equal(clean.Select(s => s.Loss), faulty.Select(s => s.Loss)); // the replay's part is the honest one

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_work, "faulty.json"))))
        {
            Assert.Equal("worker:1:nan@25", json.RootElement.GetProperty("inject").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("suspect_silos").GetArrayLength());
        }
        (code, stdout, _) = await CliRunner.RunExecutable(["status", "e2e-faulty", .. cluster]);
        Assert.Equal(0, code);
        Assert.Contains("suspect silos", stdout, StringComparison.Ordinal);
        Assert.Contains("inject=worker:1:nan@25", stdout, StringComparison.Ordinal);
    }
}
