using System.Globalization;
using System.Text.RegularExpressions;
using Thresher.Core.Model;

namespace Thresher.Core.ModelFiles;

/// <summary>
/// The string metadata a model file carries (safetensors <c>__metadata__</c>, ONNX metadata_props): its keys and
/// how to read the two that change how the model is used — the input scale (pixels are divided by it) and the
/// training loss. Files written before these keys existed still name both inside <c>config</c>
/// ("… loss=ce x/255 …"), which is read as a fallback.
/// </summary>
public static partial class ModelMetadata
{
    public const string InputScale = "input_scale";
    public const string Loss = "loss";
    public const string Layers = "layers";
    public const string Step = "step";
    public const string RunId = "run_id";
    public const string Config = "config";

    /// <summary>The scale as text that parses back to the same float (invariant culture, round-trip).</summary>
    public static string FormatScale(float scale) => scale.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The recorded input scale, or null when the file records none; a recorded but unusable value is bad input.</summary>
    public static float? ReadInputScale(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string? text = metadata.TryGetValue(InputScale, out string? value) ? value
            : metadata.TryGetValue(Config, out string? config) && ConfigScale().Match(config) is { Success: true } match ? match.Groups[1].Value
            : null;
        if (text is null) return null;
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float scale) && scale > 0 && float.IsFinite(scale))
            return scale;
        throw new ThresherInputException($"{source}: recorded input scale '{text}' is not a finite number > 0 — give --input-scale X (255 for the default recipe, 50 for the tutorial)");
    }

    /// <summary>The recorded training loss, or null when the file records none.</summary>
    public static LossKind? ReadLoss(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string? text = metadata.TryGetValue(Loss, out string? value) ? value
            : metadata.TryGetValue(Config, out string? config) && ConfigLoss().Match(config) is { Success: true } match ? match.Groups[1].Value
            : null;
        return text is null ? null : LossKinds.Parse(text);
    }

    // RunConfig.ToString(): "data=mnist layers=784,512,256,10 loss=ce x/255 lr=0.1 …".
    [GeneratedRegex(@"(?:^|\s)x/(\S+)")]
    private static partial Regex ConfigScale();

    [GeneratedRegex(@"(?:^|\s)loss=(\S+)")]
    private static partial Regex ConfigLoss();
}
