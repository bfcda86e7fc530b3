using System.Text.Json;

namespace Thresher.Client.Tests;

/// <summary>`train --sync ssp` end to end on synthetic data: it completes, and its summary JSON holds the staleness bound and histogram.</summary>
public sealed class SspTrainTests(SyntheticData data) : IClassFixture<SyntheticData>, IDisposable
{
    readonly string _work = Directory.CreateTempSubdirectory("thresher-ssp-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Train_with_ssp_writes_the_staleness_histogram_into_its_summary()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(3),
            ["train", "--data", data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", "--workers", "2",
             "--steps", "30", "--sync", "ssp", "--staleness", "3", "--no-dashboard", "--summary-json", "s.json", "--metrics-out", "m.csv"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_work, "s.json")));
        var ssp = json.RootElement.GetProperty("ssp");
        Assert.Equal(3, ssp.GetProperty("staleness_bound").GetInt32());
        var histogram = ssp.GetProperty("staleness_histogram").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(30 * 2, histogram.Sum());  // every push of every step, once
        Assert.InRange(histogram.Length, 1, 4); // τ ≤ s
        Assert.Equal(31, File.ReadAllLines(Path.Combine(_work, "m.csv")).Length); // header + one row per step
    }
}
