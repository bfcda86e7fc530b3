using System.Globalization;
using System.Text.Json;

namespace Thresher.Client.Tests;

/// <summary>The product's promises on real MNIST (cached by .ci/run): the default recipe and the tutorial's story.</summary>
public sealed class MnistTrainingTests : IDisposable
{
    readonly string _work = Directory.CreateTempSubdirectory("thresher-mnist-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    static double[] Column(string csv, string name)
    {
        var lines = File.ReadAllLines(csv);
        int index = Array.IndexOf(lines[0].Split(','), name);
        return [.. lines.Skip(1).Select(l => double.Parse(l.Split(',')[index], CultureInfo.InvariantCulture))];
    }

    [DataMnistFact]
    public async Task Train_with_defaults_reaches_96_percent_test_accuracy()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(8), "train", "--run-id", "defaults");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_work, "runs", "defaults", "summary.json")));
        double accuracy = json.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy >= 0.96, $"test accuracy {accuracy}");
        Assert.Equal(1404, json.RootElement.GetProperty("steps").GetInt32());
    }

    [DataMnistFact]
    public async Task The_tutorial_recipe_explodes_unclipped_and_trains_clipped()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(4),
            "train", "--preset", "tutorial-unclipped", "--steps", "30", "--run-id", "unclipped");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        string csv = Path.Combine(_work, "runs", "unclipped", "metrics.csv");
        var norms = Column(csv, "global_norm");
        Assert.InRange(norms[0], 100, 1000); // of order 10² at step 0
        Assert.Contains(norms.Take(5), n => n > 1000);
        Assert.Contains(Column(csv, "skipped"), s => s == 1);
        Assert.Contains("skipped", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(4),
            "train", "--preset", "tutorial", "--steps", "200", "--run-id", "clipped");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        csv = Path.Combine(_work, "runs", "clipped", "metrics.csv");
        Assert.All(Column(csv, "clipped_norm"), n => Assert.True(n <= 15 * (1 + 1e-6), $"post-clip norm {n}"));
        Assert.Contains(Column(csv, "clipped"), c => c == 1);
        Assert.DoesNotContain(Column(csv, "skipped"), s => s == 1);
        var loss = Column(csv, "loss");
        Assert.True(loss.TakeLast(20).Average() < loss.Take(20).Average() / 2, $"loss {loss[0]} → {loss[^1]}");
    }
}
