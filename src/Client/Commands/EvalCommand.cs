using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Client.Models;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;
using Thresher.Core.Training;

namespace Thresher.Client.Commands;

/// <summary>
/// `thresher eval MODEL --data NAME|DIR`: test-set accuracy, mean loss and count of a safetensors model (Thresher's
/// forward pass) or an ONNX model (ONNX Runtime). No cluster.
/// </summary>
public sealed class EvalCommand(IAnsiConsole console) : Command<EvalCommand.Settings>
{
    public const int MaxBatch = 10_000;

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")]
        [Description("A .safetensors or .onnx model file (any other name: the format is read from the content).")]
        public string Model { get; init; } = "";

        [CommandOption("--data <NAME|DIR>")]
        [Description("mnist (fetched to the cache on first use), fashion-mnist, or a directory holding the four IDX files. Default mnist. Its test split is evaluated.")]
        [DefaultValue("mnist")]
        public string Data { get; init; } = "mnist";

        [CommandOption("--data-dir <DIR>")]
        [Description("Dataset cache folder (default: $THRESHER_DATA_DIR, else ~/.cache/thresher).")]
        public string? DataDir { get; init; }

        [CommandOption("--input-scale <X>")]
        [Description("safetensors only: pixels are divided by X. Default: what the file recorded (255 default recipe, 50 tutorial). ONNX models scale their own input.")]
        [TypeConverter(typeof(FloatOptionConverter))]
        public float? InputScale { get; init; }

        [CommandOption("--loss <ce|mse>")]
        [Description("The loss reported: ce (softmax cross-entropy) or mse (on one-hot labels). Default: the model's training loss as recorded, else ce.")]
        public string? Loss { get; init; }

        [CommandOption("--batch <N>")]
        [Description($"Rows per forward pass, 1..10000. Default 1000.")]
        [DefaultValue(1000)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int Batch { get; init; } = 1000;

        [CommandOption("--json <FILE>")]
        [Description("Also write the result as JSON: model, format, data, count, correct, accuracy, loss, loss_kind.")]
        public string? Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Batch is < 1 or > MaxBatch) return ValidationResult.Error($"batch {Batch}: must be in 1..{MaxBatch}");
            if (InputScale is float scale && !(scale > 0 && float.IsFinite(scale)))
                return ValidationResult.Error(string.Create(CultureInfo.InvariantCulture, $"input-scale {scale}: must be a finite number > 0 (255 maps pixels to [0, 1]; 50 is the tutorial's)"));
            try
            {
                if (Loss is not null) LossKinds.Parse(Loss);
            }
            catch (ThresherInputException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(settings.Model)) throw new ThresherInputException($"{settings.Model}: no such model file — check the path");
        ModelFileFormat format = ModelFileFormats.Detect(settings.Model);
        EvaluationResult result = format == ModelFileFormat.Onnx ? EvaluateOnnx(settings) : EvaluateSafetensors(settings);
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"test: {result.Count} samples, accuracy [bold]{result.Accuracy * 100:F2} %[/] ({result.Correct}/{result.Count} correct), loss {result.MeanLoss:G6} ({result.Loss.Name()}, mean)");
        if (settings.Json is { } json) WriteJson(json, settings, format, result);
        return ExitCodes.Success;
    }

    EvaluationResult EvaluateOnnx(Settings settings)
    {
        if (settings.InputScale is not null)
            throw new ThresherInputException($"input-scale: {settings.Model} is ONNX and divides its input itself; --input-scale applies to safetensors models only");
        using var model = OnnxRuntimeModel.Open(settings.Model);
        LossKind loss = settings.Loss is { } name ? LossKinds.Parse(name) : ModelMetadata.ReadLoss(model.Metadata) ?? LossKind.CrossEntropy;
        string scale = model.Metadata.TryGetValue(ModelMetadata.InputScale, out string? s) ? $", input ÷ {s} inside the graph" : "";
        console.MarkupLineInterpolated($"model: {settings.Model} (ONNX Runtime, {model.Features} inputs → {model.Classes} outputs{scale})");
        DataSplit test = LoadTest(settings, model.Features, model.Classes);
        // The graph takes raw pixel values: x = pixels / 1.
        return ModelEvaluation.Run(test, model.Classes, settings.Batch, 1f, loss, model.Logits);
    }

    EvaluationResult EvaluateSafetensors(Settings settings)
    {
        SavedModel model = SavedModel.Read(settings.Model);
        float scale = settings.InputScale ?? model.InputScale ?? throw new ThresherInputException(
            $"{settings.Model}: records no input scale (written by an older Thresher) — give --input-scale X (255 for the default recipe, 50 for the tutorial)");
        LossKind loss = settings.Loss is { } name ? LossKinds.Parse(name) : ModelMetadata.ReadLoss(model.Metadata) ?? LossKind.CrossEntropy;
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"model: {settings.Model} (safetensors, layers {model.Config}, input ÷ {scale})");
        DataSplit test = LoadTest(settings, model.Config.Inputs, model.Config.Outputs);
        var mlp = new Mlp(model.Config, Math.Min(settings.Batch, Math.Max(1, test.Count)));
        return ModelEvaluation.Run(mlp, model.Theta, test, scale, loss);
    }

    DataSplit LoadTest(Settings settings, int inputs, int classes)
        => DatasetLoading.Load(console, settings.Data, settings.DataDir, inputs, classes).Test;

    static void WriteJson(string path, Settings settings, ModelFileFormat format, EvaluationResult result)
    {
        var document = new Dictionary<string, object>
        {
            ["model"] = settings.Model,
            ["format"] = format.Name(),
            ["data"] = settings.Data,
            ["count"] = result.Count,
            ["correct"] = result.Correct,
            ["accuracy"] = result.Accuracy,
            ["loss"] = result.MeanLoss,
            ["loss_kind"] = result.Loss.Name(),
        };
        try
        {
            File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresherInputException($"json '{path}': cannot write it ({e.Message}) — check that the directory exists and is writable", e);
        }
    }
}
