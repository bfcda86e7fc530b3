using System.Globalization;
using Thresher.Abstractions;
using Thresher.Core.ModelFiles;

namespace Thresher.Client.Commands;

/// <summary>The metadata a model file written from a run carries (safetensors <c>__metadata__</c>, ONNX metadata_props).</summary>
static class ModelFileMetadata
{
    /// <summary>
    /// step, run_id, and from the run's config (when known): config (its one-line summary), input_scale and loss
    /// (what using the model needs).
    /// </summary>
    public static List<KeyValuePair<string, string>> From(RunConfig? config, string runId, long step)
    {
        List<KeyValuePair<string, string>> metadata = [new(ModelMetadata.Step, step.ToString(CultureInfo.InvariantCulture)), new(ModelMetadata.RunId, runId)];
        if (config is null) return metadata;
        metadata.Add(new(ModelMetadata.Config, config.ToString()));
        metadata.Add(new(ModelMetadata.InputScale, ModelMetadata.FormatScale(config.InputScale)));
        metadata.Add(new(ModelMetadata.Loss, config.Loss));
        return metadata;
    }
}
