using System.Globalization;
using System.Text.Json;
using Thresher.Core.ModelFiles;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Client.Tests;

/// <summary>`thresher train` as a user runs it: the real executable, on a synthetic dataset.</summary>
public sealed class TrainCommandTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-train-").FullName;

    public TrainCommandTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    string[] Args(params string[] extra) => ["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5", .. extra];

    [Fact]
    public async Task Train_writes_metrics_summary_and_model_and_says_where()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args("--steps", "30", "--batch", "32", "--eval-every", "10", "--run-id", "smoke", "--save", "model.safetensors"));
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        string metrics = Path.Combine(_work, "runs", "smoke", "metrics.csv");
        string summary = Path.Combine(_work, "runs", "smoke", "summary.json");
        Assert.Contains($"metrics: {metrics}", stdout, StringComparison.Ordinal);
        Assert.Contains($"summary: {summary}", stdout, StringComparison.Ordinal);

        var lines = File.ReadAllLines(metrics);
        Assert.Equal("step,epoch,loss,global_norm,clipped_norm,clip_scale,clip_threshold,clipped,skipped,lr,norm_w1,norm_b1,norm_w2,norm_b2,test_accuracy,batch_id,spike,action,culprit_worker,verdict,"
            + "worker_bytes_received,worker_bytes_sent,ps_bytes_received,ps_bytes_sent,ps_remote_bytes_received,ps_remote_bytes_sent,aggregator_bytes_received,aggregator_bytes_sent,aggregator_remote_bytes_received,wall_seconds", lines[0]);
        Assert.Equal(31, lines.Length);
        int batchColumn = Array.IndexOf(lines[0].Split(','), "batch_id");
        Assert.All(lines.Skip(1), l => Assert.Equal($"{l.Split(',')[0]},0,none,,", string.Join(',', l.Split(',')[batchColumn..(batchColumn + 5)]))); // batch = step, no spike
        // 16-24-10: 658 parameters, 2632 bytes of θ or gradient per worker and direction; 2 workers on the one embedded silo: nothing remote.
        int bytesColumn = Array.IndexOf(lines[0].Split(','), "worker_bytes_received");
        Assert.All(lines.Skip(1), l => Assert.Equal("5264,5264,5264,5264,0,0", string.Join(',', l.Split(',')[bytesColumn..(bytesColumn + 6)])));
        var walls = lines.Skip(1).Select(l => double.Parse(l.Split(',')[^1], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(walls.Zip(walls.Skip(1)).All(p => p.Second >= p.First) && walls[^1] > 0, "wall_seconds must grow with the steps");
        int accuracyColumn = Array.IndexOf(lines[0].Split(','), "test_accuracy");
        var accuracyRows = lines.Skip(1).Where(l => l.Split(',')[accuracyColumn].Length > 0).Select(l => l.Split(',')[0]).ToArray();
        Assert.Equal(["9", "19", "29"], accuracyRows);

        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        var root = json.RootElement;
        foreach (var key in new[] { "run_id", "steps", "epochs", "workers", "test_accuracy", "final_loss", "skipped_steps", "clipped_steps", "wall_seconds", "samples_per_second" })
            Assert.True(root.TryGetProperty(key, out _), $"summary lacks {key}");
        Assert.Equal("smoke", root.GetProperty("run_id").GetString());
        Assert.Equal(30, root.GetProperty("steps").GetInt32());
        Assert.Equal(2, root.GetProperty("workers").GetInt32());
        Assert.True(root.GetProperty("test_accuracy").GetDouble() > 0.5);
        var bytes = root.GetProperty("bytes_per_step");
        Assert.Equal(5264, bytes.GetProperty("worker_received").GetInt64());
        Assert.Equal(5264, bytes.GetProperty("ps_received").GetInt64());
        Assert.Equal(5264, bytes.GetProperty("ps_sent").GetInt64());
        Assert.Equal(0, bytes.GetProperty("ps_remote_sent").GetInt64());

        var theta = ModelFile.Load(Path.Combine(_work, "model.safetensors"), MlpConfig.Parse(SyntheticData.Layers));
        Assert.All(theta, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public async Task Init_from_a_saved_model_starts_from_exactly_those_weights()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args("--steps", "5", "--run-id", "first", "--save", "first.safetensors"));
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args("--steps", "3", "--run-id", "second", "--init-from", "first.safetensors", "--no-shuffle", "--workers", "1"));
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        // The single-process trainer started from the file's weights must give the very same first steps.
        var saved = ModelFile.Load(Path.Combine(_work, "first.safetensors"), MlpConfig.Parse(SyntheticData.Layers));
        var options = new TrainingOptions
        {
            Layers = MlpConfig.Parse(SyntheticData.Layers), Init = InitKind.He, LearningRate = 0.5f, Steps = 3, Shuffle = false,
        };
        var trainer = new Trainer(options, DatasetCatalog.Load(_data.Directory), initialTheta: saved);
        var rows = File.ReadAllLines(Path.Combine(_work, "runs", "second", "metrics.csv")).Skip(1).ToArray();
        for (int step = 0; step < 3; step++)
        {
            var expected = trainer.TrainStep();
            var cells = rows[step].Split(',');
            Assert.Equal(expected.Loss, double.Parse(cells[2], CultureInfo.InvariantCulture));
            Assert.Equal(expected.GlobalNorm, double.Parse(cells[3], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_non_finite_gradient_under_policy_abort_fails_the_run_with_exit_code_1()
    {
        var (code, stdout, _) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args("--steps", "50", "--lr", "1e30", "--clip", "none", "--loss", "mse", "--nonfinite", "abort", "--run-id", "doomed"));
        Assert.Equal(1, code);
        Assert.Contains("run failed:", stdout, StringComparison.Ordinal);
        Assert.Contains("policy abort", stdout, StringComparison.Ordinal);
    }
}
