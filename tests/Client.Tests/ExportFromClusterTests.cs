using System.Text.Json;
using Thresher.Core.ModelFiles;

namespace Thresher.Client.Tests;

/// <summary>`thresher export RUN --out model.onnx` from a running silo process, evaluated by `thresher eval`.</summary>
public sealed class ExportFromClusterTests : IClassFixture<SyntheticData>, IAsyncLifetime
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-export-run-").FullName;
    SiloProcess _silo = null!;

    public ExportFromClusterTests(SyntheticData data) => _data = data;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync();

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    string[] Gateway => ["--gateway", _silo.Gateway, "--cluster-id", "thresher-test"];

    [Fact]
    public async Task A_runs_onnx_export_carries_its_scale_and_evaluates_to_its_accuracy()
    {
        string summary = Path.Combine(_work, "summary.json"), model = Path.Combine(_work, "run.onnx"), result = Path.Combine(_work, "eval.json");
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(3),
            ["submit", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--steps", "6", "--init", "he", "--lr", "0.1",
             "--input-scale", "50", "--loss", "mse", "--run-id", "onnx-run", "--watch", "--summary-json", summary, .. Gateway]);
        Assert.True(code == 0, $"submit: exit {code}: {stdout}{stderr}\nsilo: {_silo.Output}");
        double runAccuracy;
        using (var json = JsonDocument.Parse(File.ReadAllText(summary))) runAccuracy = json.RootElement.GetProperty("test_accuracy").GetDouble();

        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1), ["export", "onnx-run", "--out", model, .. Gateway]);
        Assert.True(code == 0, $"export: exit {code}: {stdout}{stderr}");
        Assert.Contains("θ at step 6 (completed)", stdout, StringComparison.Ordinal);
        Assert.Contains("ONNX opset 17, input [N, 16] raw pixels ÷ 50, output logits [N, 10]", stdout, StringComparison.Ordinal);

        var (evalCode, output) = await CliRunner.RunInProcess("eval", model, "--data", _data.Directory, "--json", result);
        Assert.True(evalCode == 0, output);
        using var evaluation = JsonDocument.Parse(File.ReadAllText(result));
        Assert.Equal(runAccuracy, evaluation.RootElement.GetProperty("accuracy").GetDouble());
        Assert.Equal("mse", evaluation.RootElement.GetProperty("loss_kind").GetString());   // the run's loss, from the model's metadata
        Assert.Equal(ModelFileFormat.Onnx, ModelFileFormats.Detect(model));
    }
}
