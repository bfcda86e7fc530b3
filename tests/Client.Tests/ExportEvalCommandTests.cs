using System.Text.Json;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;

namespace Thresher.Client.Tests;

/// <summary>`thresher export … --format onnx` and `thresher eval`: the numbers a run reports, and bad input.</summary>
public sealed class ExportEvalCommandTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-export-eval-").FullName;

    public ExportEvalCommandTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    string In(string name) => Path.Combine(_work, name);

    static JsonElement ReadJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    /// <summary>Trains with `train … --save` (a process), returns the run's own test accuracy from its summary.</summary>
    async Task<double> TrainAndSave(string model, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(4),
            ["train", .. options, "--save", model, "--summary-json", In("summary.json"), "--workers", "2"]);
        Assert.True(code == 0, $"train: exit {code}: {stdout}{stderr}");
        return ReadJson(In("summary.json")).GetProperty("test_accuracy").GetDouble();
    }

    /// <summary>`thresher eval` in this process; returns (count, correct, accuracy, mean loss) from its --json.</summary>
    async Task<(int Count, long Correct, double Accuracy, double Loss)> Eval(string model, params string[] options)
    {
        string json = In($"eval-{Guid.NewGuid():N}.json");
        var (code, output) = await CliRunner.RunInProcess(["eval", model, .. options, "--json", json]);
        Assert.True(code == 0, $"eval {model}: exit {code}: {output}");
        JsonElement result = ReadJson(json);
        Assert.Contains($"({result.GetProperty("correct").GetInt64()}/{result.GetProperty("count").GetInt32()} correct)", output, StringComparison.Ordinal);
        return (result.GetProperty("count").GetInt32(), result.GetProperty("correct").GetInt64(), result.GetProperty("accuracy").GetDouble(),
            result.GetProperty("loss").GetDouble());
    }

    async Task Export(params string[] args)
    {
        var (code, output) = await CliRunner.RunInProcess(["export", .. args]);
        Assert.True(code == 0, $"export {string.Join(' ', args)}: exit {code}: {output}");
    }

    [DataMnistFact]
    public async Task The_onnx_export_of_a_trained_run_evaluates_to_the_runs_accuracy()
    {
        double runAccuracy = await TrainAndSave("model.safetensors", "--steps", "60", "--run-id", "onnx-mnist");
        await Export(In("model.safetensors"), "--out", In("model.onnx"));

        var onnx = await Eval(In("model.onnx"), "--data", "mnist");
        var safetensors = await Eval(In("model.safetensors"), "--data", "mnist");
        Assert.Equal(10_000, onnx.Count);
        Assert.Equal(runAccuracy, onnx.Accuracy);
        Assert.Equal(safetensors.Correct, onnx.Correct);
        Assert.InRange(runAccuracy, 0.8, 1.0);
    }

    [Fact]
    public async Task A_synthetic_run_exported_either_way_evaluates_to_its_accuracy_with_its_scale()
    {
        double runAccuracy = await TrainAndSave("model.safetensors", "--data", _data.Directory, "--layers", SyntheticData.Layers,
            "--steps", "6", "--init", "he", "--lr", "0.1", "--input-scale", "50");
        await Export(In("model.safetensors"), "--out", In("model.bin"), "--format", "onnx");
        await Export(In("model.safetensors"), "--out", In("copy.safetensors"));

        var onnx = await Eval(In("model.bin"), "--data", _data.Directory);                 // ONNX, known by its bytes
        var copy = await Eval(In("copy.safetensors"), "--data", _data.Directory);
        Assert.Equal(runAccuracy, onnx.Accuracy);
        Assert.Equal(runAccuracy, copy.Accuracy);
        Assert.Equal(copy.Loss, onnx.Loss, 1e-5);
        Assert.InRange(runAccuracy, 0.05, 0.995);   // part-trained: a count that can differ
        Assert.Equal("50", SafeTensors.Read(In("copy.safetensors")).Metadata[ModelMetadata.InputScale]);
        // The recorded 50 is what was used: at 255 the same weights give another loss.
        Assert.NotEqual(copy.Loss, (await Eval(In("model.safetensors"), "--data", _data.Directory, "--input-scale", "255")).Loss, 1e-3);
    }

    [Fact]
    public async Task Export_and_eval_explain_themselves()
    {
        foreach (string command in new[] { "export", "eval" })
        {
            var (code, output) = await CliRunner.RunInProcess([command, "--help"]);
            Assert.True(code == 0, output);
            foreach (string option in command == "export" ? ["--out", "--format", "--input-scale", "--gateway"] : new[] { "--data", "--input-scale", "--loss", "--batch", "--json" })
                Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }

    /// <summary>A 784-input model: too wide for the 4×4 synthetic images.</summary>
    string SaveMnistShapedModel(string name, bool withScale = true)
    {
        var layout = new ParameterLayout(new MlpConfig([784, 8, 10]));
        var theta = new float[layout.TotalLength];
        string path = In(name + ".safetensors");
        ModelFile.Save(path, layout, theta, withScale ? [new(ModelMetadata.InputScale, "255")] : []);
        OnnxExport.Save(In(name + ".onnx"), layout, theta, 255f);
        return In(name);
    }

    [Fact]
    public async Task A_file_without_a_recorded_scale_converts_to_safetensors_and_to_onnx_with_one_given()
    {
        string old = SaveMnistShapedModel("old", withScale: false) + ".safetensors";
        await Export(old, "--out", In("plain.safetensors"));
        Assert.False(SafeTensors.Read(In("plain.safetensors")).Metadata.ContainsKey(ModelMetadata.InputScale));
        await Export(old, "--out", In("scaled.onnx"), "--input-scale", "50");
        await Export(old, "--out", In("scaled.safetensors"), "--input-scale", "50");
        Assert.Equal(50f, SavedModel.Read(In("scaled.safetensors")).InputScale);
        Assert.Equal(ModelFileFormat.Onnx, ModelFileFormats.Detect(In("scaled.onnx")));
    }

    [Theory]
    [InlineData("missing.onnx: no such model file", "eval", "{work}/missing.onnx")]
    [InlineData("ONNX Runtime cannot load it", "eval", "{work}/garbage.onnx")]
    [InlineData("neither a safetensors nor an ONNX model file", "eval", "{work}/garbage.bin")]
    [InlineData("images are 4x4 = 16 features but the model's input layer takes 784", "eval", "{model}.onnx", "--data", "{data}")]
    [InlineData("images are 4x4 = 16 features but the model's input layer takes 784", "eval", "{model}.safetensors", "--data", "{data}")]
    [InlineData("is ONNX and divides its input itself", "eval", "{model}.onnx", "--input-scale", "255")]
    [InlineData("batch 0: must be in 1..10000", "eval", "{model}.onnx", "--batch", "0")]
    [InlineData("loss 'hinge': unknown loss", "eval", "{model}.onnx", "--loss", "hinge")]
    [InlineData("input-scale 'abc': not a number", "eval", "{model}.safetensors", "--input-scale", "abc")]
    [InlineData("input-scale -1: must be a finite number > 0", "eval", "{model}.safetensors", "--input-scale", "-1")]
    [InlineData("records no input scale", "eval", "{work}/old.safetensors", "--data", "{data}")]
    [InlineData("format 'pt': unknown model format; expected onnx or safetensors", "export", "{model}.safetensors", "--out", "{work}/x.pt", "--format", "pt")]
    [InlineData("input-scale 0: must be a finite number > 0", "export", "{model}.safetensors", "--out", "{work}/x.onnx", "--input-scale", "0")]
    [InlineData("is already ONNX", "export", "{model}.onnx", "--out", "{work}/x.onnx")]
    [InlineData("missing.safetensors: no such model file", "export", "{work}/missing.safetensors", "--out", "{work}/x.onnx")]
    [InlineData("records no input scale (written by an older Thresher) — give --input-scale X", "export", "{work}/old.safetensors", "--out", "{work}/x.onnx")]
    [InlineData("out: missing", "export", "{model}.safetensors")]
    public async Task Bad_input_is_one_line_and_exit_2(string message, params string[] args)
    {
        string model = SaveMnistShapedModel("model");
        SaveMnistShapedModel("old", withScale: false);
        File.WriteAllText(In("garbage.onnx"), "not a model");
        File.WriteAllText(In("garbage.bin"), "not a model");
        string[] expanded = [.. args.Select(a => a.Replace("{work}", _work, StringComparison.Ordinal)
            .Replace("{model}", model, StringComparison.Ordinal).Replace("{data}", _data.Directory, StringComparison.Ordinal))];

        var (code, stdout, stderr) = await CliRunner.RunExecutable(expanded);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', args)}: {stdout}{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(In("x.onnx")) || File.Exists(In("x.pt")), "nothing is written on bad input");
    }
}
