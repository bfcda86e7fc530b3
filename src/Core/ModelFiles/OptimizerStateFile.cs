using System.Globalization;
using Thresher.Core.Model;
using Thresher.Core.Optim;

namespace Thresher.Core.ModelFiles;

/// <summary>An optimizer's state as saved beside θ: its kind, its buffers (layout order, P floats or empty) and its step count.</summary>
public sealed record SavedOptimizerState(OptimizerKind Kind, float[] MomentumBuffer, float[] ExpAvg, float[] ExpAvgSq, long Steps);

/// <summary>
/// The optimizer's state inside a model's safetensors file (--save-optimizer): F32 tensors named
/// <c>optimizer.&lt;buffer&gt;.&lt;tensor&gt;</c> with the tensor's shape — buffer momentum_buffer (SGD with momentum),
/// exp_avg and exp_avg_sq (Adam, AdamW), PyTorch's state names — and metadata <c>optimizer</c> (sgd, adam, adamw)
/// and <c>optimizer_steps</c> (updates applied).
/// </summary>
public static class OptimizerStateFile
{
    public const string Prefix = "optimizer.";
    public const string KindKey = "optimizer";
    public const string StepsKey = "optimizer_steps";
    static readonly string[] Buffers = ["momentum_buffer", "exp_avg", "exp_avg_sq"];

    /// <summary>The tensors and metadata that store <paramref name="state"/>; buffers that are empty are left out.</summary>
    public static (List<KeyValuePair<string, Tensor>> Tensors, List<KeyValuePair<string, string>> Metadata) ToFile(ParameterLayout layout, SavedOptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(state);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        float[][] buffers = [state.MomentumBuffer, state.ExpAvg, state.ExpAvgSq];
        for (int b = 0; b < Buffers.Length; b++)
        {
            if (buffers[b].Length == 0) continue;
            if (buffers[b].Length != layout.TotalLength)
                throw new ArgumentException($"optimizer buffer {Buffers[b]} has {buffers[b].Length} floats; layers {layout.Config} need {layout.TotalLength}", nameof(state));
            foreach (var slice in layout.Slices)
                tensors.Add(new(Prefix + Buffers[b] + "." + slice.Name, Tensor.FromArray(slice.Of(buffers[b]), slice.Shape)));
        }
        return (tensors, [new(KindKey, state.Kind.Name()), new(StepsKey, state.Steps.ToString(CultureInfo.InvariantCulture))]);
    }

    /// <summary>The names and shapes of the optimizer tensors <paramref name="file"/> may hold for <paramref name="layout"/>: those it has.</summary>
    public static IEnumerable<(string Name, int[] Shape)> ExpectedIn(SafeTensorsFile file, ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(layout);
        foreach (string buffer in Buffers)
            if (file.Tensors.ContainsKey(Prefix + buffer + "." + layout.Slices[0].Name))
                foreach (var slice in layout.Slices) yield return (Prefix + buffer + "." + slice.Name, slice.Shape);
    }

    /// <summary>The state saved in <paramref name="file"/> (shapes already checked), or null when it holds none.</summary>
    public static SavedOptimizerState? Read(SafeTensorsFile file, ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(layout);
        if (!file.Metadata.TryGetValue(KindKey, out string? kindName)) return null;
        var kind = OptimizerKinds.Parse(kindName);
        if (!file.Metadata.TryGetValue(StepsKey, out string? stepsText)
            || !long.TryParse(stepsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long steps) || steps < 0)
            throw new ThresherInputException($"{file.Path}: metadata {StepsKey} '{stepsText}' is not a step count ≥ 0");
        var buffers = new float[Buffers.Length][];
        for (int b = 0; b < Buffers.Length; b++)
        {
            buffers[b] = [];
            if (!file.Tensors.ContainsKey(Prefix + Buffers[b] + "." + layout.Slices[0].Name)) continue;
            buffers[b] = new float[layout.TotalLength];
            foreach (var slice in layout.Slices)
                file[Prefix + Buffers[b] + "." + slice.Name].Data.CopyTo(buffers[b].AsSpan(slice.Offset, slice.Length));
        }
        return new SavedOptimizerState(kind, buffers[0], buffers[1], buffers[2], steps);
    }
}
