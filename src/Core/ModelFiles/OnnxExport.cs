using System.Globalization;
using System.Reflection;
using Thresher.Core.Model;

namespace Thresher.Core.ModelFiles;

/// <summary>
/// An MLP as an ONNX model (opset 17, IR version 8) that takes raw pixels:
/// <code>
/// input [N, L0] float (pixel values 0..255)
///   x  = Div(input, input_scale)                   input_scale: scalar initializer (255 by default, 50 for the tutorial)
///   h1 = Relu(Gemm(x, w1, b1))                       w1 [L0, L1] = Gemm's B [K, N] as stored: transB = 0, no transpose
///   …  = Relu(Gemm(h_{l-1}, w_l, b_l))               every hidden layer
/// logits [N, L_last] = Gemm(h_{last-1}, w_last, b_last)  (no softmax: the logits Thresher's forward pass returns)
/// </code>
/// N is the symbolic (dynamic) batch dimension. Div (not Mul by 1/scale) so the scaled input equals Thresher's
/// <see cref="Data.PixelScaling"/> bit for bit. Initializers keep the safetensors names w1, b1, …;
/// metadata_props record input_scale, layers and whatever the source model recorded (step, run_id, loss, config).
/// </summary>
public static class OnnxExport
{
    /// <summary>The ai.onnx operator set (Div 14, Gemm 13, Relu 14 are the versions it resolves to).</summary>
    public const int Opset = 17;

    /// <summary>The IR version that goes with opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;

    public const string InputName = "input";
    public const string OutputName = "logits";
    public const string BatchDimension = "N";
    public const string InputScaleName = "input_scale";

    /// <summary>The serialized ModelProto of θ (laid out by <paramref name="layout"/>) with the pixel scaling built in.</summary>
    public static byte[] Build(ParameterLayout layout, ReadOnlySpan<float> theta, float inputScale, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (theta.Length != layout.TotalLength)
            throw new ArgumentException($"θ has {theta.Length} floats, layers {layout.Config} need {layout.TotalLength}", nameof(theta));
        if (!(inputScale > 0) || !float.IsFinite(inputScale))
            throw new ThresherInputException($"input-scale {inputScale.ToString(CultureInfo.InvariantCulture)}: must be a finite number > 0 (255 maps pixels to [0, 1]; 50 is the tutorial's)");
        MlpConfig config = layout.Config;

        var initializers = new List<ProtobufWriter> { OnnxProto.FloatTensor(InputScaleName, [], [inputScale]) };
        var nodes = new List<ProtobufWriter> { OnnxProto.Node("scale", "Div", [InputName, InputScaleName], ["x"]) };
        string previous = "x";
        for (int l = 0; l < config.Depth; l++)
        {
            ParameterSlice weight = layout.Weight(l), bias = layout.Bias(l);
            initializers.Add(OnnxProto.FloatTensor(weight.Name, weight.Shape, weight.Of(theta)));
            initializers.Add(OnnxProto.FloatTensor(bias.Name, bias.Shape, bias.Of(theta)));
            bool last = l == config.Depth - 1;
            string linear = last ? OutputName : $"z{l + 1}";
            nodes.Add(OnnxProto.Node($"gemm{l + 1}", "Gemm", [previous, weight.Name, bias.Name], [linear], OnnxProto.IntAttribute("transB", 0)));
            if (last) break;
            previous = $"h{l + 1}";
            nodes.Add(OnnxProto.Node($"relu{l + 1}", "Relu", [linear], [previous]));
        }

        string doc = $"Thresher MLP {config}: logits = f(pixels / input_scale), ReLU hidden layers, linear output (no softmax).";
        var graph = OnnxProto.Graph("thresher_mlp", doc, nodes, initializers,
            OnnxProto.FloatValueInfo(InputName, BatchDimension, config.Inputs),
            OnnxProto.FloatValueInfo(OutputName, BatchDimension, config.Outputs));
        var model = OnnxProto.Model(IrVersion, Opset, "thresher", ProducerVersion, doc, graph, Metadata(config, inputScale, metadata));
        return model.ToArray();
    }

    /// <summary>Writes <see cref="Build"/>'s bytes to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, ParameterLayout layout, ReadOnlySpan<float> theta, float inputScale, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        byte[] bytes = Build(layout, theta, inputScale, metadata);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    static List<KeyValuePair<string, string>> Metadata(MlpConfig config, float inputScale, IEnumerable<KeyValuePair<string, string>>? source)
    {
        var props = new List<KeyValuePair<string, string>>
        {
            new(ModelMetadata.InputScale, ModelMetadata.FormatScale(inputScale)),
            new(ModelMetadata.Layers, config.ToString()),
        };
        // Keys must be distinct; the values computed here win over the source's.
        foreach (var entry in source ?? [])
            if (!props.Exists(p => p.Key == entry.Key)) props.Add(entry);
        return props;
    }

    static string ProducerVersion =>
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
}
