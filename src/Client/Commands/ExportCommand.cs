using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;

namespace Thresher.Client.Commands;

/// <summary>
/// `thresher export RUN|FILE.safetensors --out FILE [--format onnx|safetensors]`: a run's current θ (at any time,
/// running or finished) or a saved model file, written as safetensors or ONNX. A file converts offline.
/// </summary>
public sealed class ExportCommand(IAnsiConsole console) : AsyncCommand<ExportCommand.Settings>
{
    public sealed class Settings : GatewaySettings
    {
        [CommandArgument(0, "<SOURCE>")]
        [Description("A run id (its current weights, read through --gateway) or a .safetensors model file (converted offline, no cluster).")]
        public string Source { get; init; } = "";

        [CommandOption("--out <FILE>")]
        [Description("Where to write the model. Required.")]
        public string? Out { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("onnx or safetensors. Default: onnx when --out ends in .onnx, else safetensors.")]
        public string? Format { get; init; }

        [CommandOption("--input-scale <X>")]
        [Description("The ONNX graph divides its input (raw pixels 0..255) by X. Default: what the run or file recorded (255 for the default recipe, 50 for the tutorial).")]
        [TypeConverter(typeof(FloatOptionConverter))]
        public float? InputScale { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("out: missing; give --out FILE.onnx or --out FILE.safetensors");
            if (InputScale is float scale && !(scale > 0 && float.IsFinite(scale)))
                return ValidationResult.Error(string.Create(CultureInfo.InvariantCulture, $"input-scale {scale}: must be a finite number > 0 (255 maps pixels to [0, 1]; 50 is the tutorial's)"));
            try
            {
                _ = ResolveFormat();
            }
            catch (ThresherInputException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return base.Validate();
        }

        /// <summary>--format, else --out's extension: .onnx is ONNX, any other name safetensors (as before ONNX existed).</summary>
        public ModelFileFormat ResolveFormat() =>
            Format is { } format ? ModelFileFormats.Parse(format) : ModelFileFormats.FromExtension(Out!) ?? ModelFileFormat.Safetensors;

        /// <summary>A path that exists or names a model file is a file; anything else is a run id.</summary>
        public bool SourceIsFile => File.Exists(Source) || ModelFileFormats.FromExtension(Source) is not null;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ModelFileFormat format = settings.ResolveFormat();
        var (model, what) = settings.SourceIsFile
            ? FromFile(settings.Source)
            : await FromRunAsync(settings, cancellation).ConfigureAwait(false);

        // ONNX builds the scaling into its graph, so it needs the scale; safetensors records it when it is known.
        float? scale = settings.InputScale ?? model.InputScale;
        var metadata = model.Metadata.Where(m => m.Key != ModelMetadata.InputScale).ToList();
        if (scale is float known) metadata.Add(new(ModelMetadata.InputScale, ModelMetadata.FormatScale(known)));
        string detail = "safetensors";
        if (format == ModelFileFormat.Onnx)
        {
            float divisor = scale ?? throw new ThresherInputException(
                $"{settings.Source}: records no input scale (written by an older Thresher) — give --input-scale X (255 for the default recipe, 50 for the tutorial)");
            OnnxExport.Save(settings.Out!, model.Layout, model.Theta, divisor, metadata);
            detail = $"ONNX opset {OnnxExport.Opset}, input [N, {model.Layout.Config.Inputs}] raw pixels ÷ {ModelMetadata.FormatScale(divisor)}, output logits [N, {model.Layout.Config.Outputs}]";
        }
        else
        {
            ModelFile.Save(settings.Out!, model.Layout, model.Theta, metadata);
        }
        console.MarkupLineInterpolated($"{what} written to {Path.GetFullPath(settings.Out!)} ({detail})");
        return ExitCodes.Success;
    }

    static (ExportSource Model, string What) FromFile(string path)
    {
        if (ModelFileFormats.FromExtension(path) == ModelFileFormat.Onnx)
            throw new ThresherInputException($"{path}: is already ONNX; export reads runs and .safetensors files");
        if (!File.Exists(path)) throw new ThresherInputException($"{path}: no such model file — check the path");
        SavedModel saved = SavedModel.Read(path);
        return (new ExportSource(saved.Layout, saved.Theta, saved.Metadata, saved.InputScale), $"model {path} ({saved.Config})");
    }

    static async Task<(ExportSource, string)> FromRunAsync(Settings settings, CancellationToken cancellation)
    {
        await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
        var status = await KnownRun.StatusAsync(cluster.Client, settings.Source).ConfigureAwait(false);
        var snapshot = await cluster.Client.GetGrain<IRunGrain>(settings.Source).GetParameters().ConfigureAwait(false);
        var layout = new ParameterLayout(new MlpConfig(snapshot.Layers));
        float[] theta = MemoryMarshal.Cast<byte, float>(snapshot.Parameters.AsSpan()).ToArray();
        var metadata = ModelFileMetadata.From(status.Config, status.RunId, snapshot.Step).ToDictionary();
        string what = $"run {status.RunId}: θ at step {snapshot.Step} ({status.State.ToString().ToLowerInvariant()})";
        return (new ExportSource(layout, theta, metadata, status.Config?.InputScale), what);
    }

    /// <summary>What is exported: θ in its layout, the metadata to carry along, the recorded input scale (null: unknown).</summary>
    sealed record ExportSource(ParameterLayout Layout, float[] Theta, IReadOnlyDictionary<string, string> Metadata, float? InputScale);
}
