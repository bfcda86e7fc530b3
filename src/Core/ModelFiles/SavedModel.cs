using Thresher.Core.Model;

namespace Thresher.Core.ModelFiles;

/// <summary>
/// A model file read without knowing its layer sizes beforehand (`thresher export FILE`, `thresher eval FILE`):
/// the sizes come from the tensors themselves — w1 [L0, L1], b1 [L1], …, wD [L(D−1), LD], bD [LD], each weight's
/// rows equal to the previous weight's columns — and θ is laid out as <see cref="ParameterLayout"/> says.
/// </summary>
public sealed class SavedModel
{
    SavedModel(string path, MlpConfig config, float[] theta, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        Layout = new ParameterLayout(config);
        Theta = theta;
        Metadata = metadata;
    }

    /// <summary>The file, as given; used in messages.</summary>
    public string Path { get; }

    public ParameterLayout Layout { get; }

    public MlpConfig Config => Layout.Config;

    /// <summary>θ in layout order.</summary>
    public float[] Theta { get; }

    /// <summary>The file's metadata (step, run_id, config, input_scale, loss when recorded).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The recorded input scale (see <see cref="ModelMetadata.ReadInputScale"/>), or null.</summary>
    public float? InputScale => ModelMetadata.ReadInputScale(Metadata, Path);

    /// <summary>Reads a safetensors model file; throws <see cref="ThresherInputException"/> naming the file and what does not fit.</summary>
    public static SavedModel Read(string path)
    {
        SafeTensorsFile file = SafeTensors.Read(path);
        MlpConfig config = InferConfig(file);
        var layout = new ParameterLayout(config);
        file.EnsureShapes(layout.Slices.Select(s => (s.Name, s.Shape)));
        var theta = new float[layout.TotalLength];
        foreach (ParameterSlice slice in layout.Slices) file[slice.Name].Data.CopyTo(theta.AsSpan(slice.Offset, slice.Length));
        return new SavedModel(path, config, theta, file.Metadata);
    }

    // Layer sizes from w1, w2, … as long as they exist; biases and stray tensors are checked by EnsureShapes after.
    static MlpConfig InferConfig(SafeTensorsFile file)
    {
        const string Hint = "Thresher model files hold w1 [inputs, L1], b1 [L1], w2 [L1, L2], … (as `thresher export` and `train --save` write them)";
        if (!file.Tensors.TryGetValue("w1", out Tensor? first) || first.Shape.Length != 2)
        {
            throw new ThresherInputException(
                $"{file.Path}: no 2-D weight tensor w1 (it has {string.Join(", ", file.Names.DefaultIfEmpty("no tensors"))}) — {Hint}.");
        }
        var layers = new List<int> { first.Shape[0], first.Shape[1] };
        for (int l = 2; file.Tensors.TryGetValue($"w{l}", out Tensor? weight); l++)
        {
            if (weight.Shape.Length != 2 || weight.Shape[0] != layers[^1])
            {
                throw new ThresherInputException(
                    $"{file.Path}: w{l} has shape {Tensor.FormatShape(weight.Shape)} but w{l - 1} ends in {layers[^1]} units, so w{l} must be [{layers[^1]}, …] — {Hint}.");
            }
            layers.Add(weight.Shape[1]);
        }
        var config = new MlpConfig(layers);
        try
        {
            config.Validate();
        }
        catch (ThresherInputException e)
        {
            throw new ThresherInputException($"{file.Path}: {e.Message}", e);
        }
        return config;
    }
}
