using Thresher.Core.Model;

namespace Thresher.Core.ModelFiles;

/// <summary>
/// An MLP's parameters as a safetensors file: F32 tensors w1 [in,out], b1 [out], … in layout order, plus
/// string metadata (step, run config), and optionally the optimizer's state (<see cref="OptimizerStateFile"/>). The bridge between the flat buffer and <see cref="SafeTensors"/>.
/// </summary>
public static class ModelFile
{
    /// <param name="optimizer">The optimizer's state to save beside θ (<see cref="OptimizerStateFile"/>), or null.</param>
    public static void Save(string path, ParameterLayout layout, ReadOnlySpan<float> theta, IEnumerable<KeyValuePair<string, string>>? metadata = null,
        SavedOptimizerState? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (theta.Length != layout.TotalLength)
            throw new ArgumentException($"θ has {theta.Length} floats, layers {layout.Config} need {layout.TotalLength}", nameof(theta));
        var tensors = new List<KeyValuePair<string, Tensor>>(layout.Slices.Count);
        foreach (var slice in layout.Slices)
            tensors.Add(new(slice.Name, Tensor.FromArray(slice.Of(theta), slice.Shape)));
        var meta = new List<KeyValuePair<string, string>>(metadata ?? []);
        if (optimizer is not null)
        {
            var (stateTensors, stateMetadata) = OptimizerStateFile.ToFile(layout, optimizer);
            tensors.AddRange(stateTensors);
            meta.AddRange(stateMetadata);
        }
        SafeTensors.Write(path, tensors, meta);
    }

    /// <summary>
    /// Reads θ for <paramref name="config"/> from a file; throws <see cref="ThresherInputException"/> naming the
    /// file and each tensor whose name or shape does not fit.
    /// </summary>
    public static float[] Load(string path, MlpConfig config) => LoadWithOptimizer(path, config).Theta;

    /// <summary>θ and, when the file holds it (--save-optimizer), the optimizer's state; the same checks as <see cref="Load"/>.</summary>
    public static (float[] Theta, SavedOptimizerState? Optimizer) LoadWithOptimizer(string path, MlpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var layout = new ParameterLayout(config);
        var file = SafeTensors.Read(path);
        file.EnsureShapes(layout.Slices.Select(s => (s.Name, s.Shape)).Concat(OptimizerStateFile.ExpectedIn(file, layout)));
        var theta = new float[layout.TotalLength];
        foreach (var slice in layout.Slices) file[slice.Name].Data.CopyTo(theta.AsSpan(slice.Offset, slice.Length));
        return (theta, OptimizerStateFile.Read(file, layout));
    }
}
