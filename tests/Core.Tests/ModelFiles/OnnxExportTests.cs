using System.Runtime.InteropServices;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;

namespace Thresher.Core.Tests.ModelFiles;

/// <summary>
/// The exported ModelProto read back field by field with onnx.proto's numbers (ONNX Runtime runs it in the
/// Client tests): ModelProto 1 ir_version, 7 graph, 8 opset_import, 14 metadata_props; GraphProto 1 node,
/// 5 initializer, 11 input, 12 output; NodeProto 1 input, 2 output, 4 op_type, 5 attribute; TensorProto 1 dims,
/// 2 data_type, 8 name, 9 raw_data.
/// </summary>
public sealed class OnnxExportTests
{
    static (ProtobufMessage Model, float[] Theta) Export(MlpConfig config, float scale = 255f)
    {
        var layout = new ParameterLayout(config);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, InitKind.Glorot, 7);
        theta[0] = -0f;
        theta[1] = float.Epsilon;
        byte[] bytes = OnnxExport.Build(layout, theta, scale, [new("run_id", "r1"), new("input_scale", "ignored")]);
        return (new ProtobufMessage(bytes), theta);
    }

    [Fact]
    public void The_model_states_ir_version_8_and_the_default_opset_17()
    {
        var (model, _) = Export(new MlpConfig([6, 5, 3]));
        Assert.Equal(8, model.Int(1));
        var opset = Assert.Single(model.Messages(8));
        Assert.Equal("", opset.String(1));
        Assert.Equal(17, opset.Int(2));
        Assert.Equal("thresher", model.String(2));
    }

    [Fact]
    public void The_graph_is_div_then_gemm_relu_pairs_and_a_final_gemm_to_logits()
    {
        var (model, _) = Export(new MlpConfig([6, 5, 4, 3]));
        var nodes = model.Message(7).Messages(1).ToList();
        Assert.Equal(["Div", "Gemm", "Relu", "Gemm", "Relu", "Gemm"], nodes.Select(n => n.String(4)));
        Assert.Equal(["input", "input_scale"], nodes[0].Strings(1));
        Assert.Equal(["x", "w1", "b1"], nodes[1].Strings(1));
        Assert.Equal(["h2", "w3", "b3"], nodes[5].Strings(1));
        Assert.Equal(["logits"], nodes[5].Strings(2));
        // Each value is produced once and consumed by the next node: a chain.
        for (int i = 1; i < nodes.Count; i++) Assert.Equal(nodes[i - 1].Strings(2).Single(), nodes[i].Strings(1).First());
        // w_l is stored [in, out], Gemm's B [K, N] as is: transB = 0 (AttributeProto name 1, i 3, type 20 = INT).
        foreach (var gemm in nodes.Where(n => n.String(4) == "Gemm"))
        {
            var attribute = Assert.Single(gemm.Messages(5));
            Assert.Equal("transB", attribute.String(1));
            Assert.Equal(0, attribute.Int(3));
            Assert.Equal(2, attribute.Int(20));
        }
    }

    [Fact]
    public void Input_and_output_are_float_matrices_with_a_symbolic_batch_dimension()
    {
        var (model, _) = Export(new MlpConfig([6, 5, 3]));
        var graph = model.Message(7);
        AssertMatrix(Assert.Single(graph.Messages(11)), "input", 6);
        AssertMatrix(Assert.Single(graph.Messages(12)), "logits", 3);

        static void AssertMatrix(ProtobufMessage valueInfo, string name, long width)
        {
            Assert.Equal(name, valueInfo.String(1));
            var tensorType = valueInfo.Message(2).Message(1);
            Assert.Equal(OnnxProto.FloatType, tensorType.Int(1));
            var dims = tensorType.Message(2).Messages(1).ToList();
            Assert.Equal(2, dims.Count);
            Assert.Equal("N", dims[0].String(2));
            Assert.Empty(dims[0].All(1));
            Assert.Equal(width, dims[1].Int(1));
        }
    }

    [Fact]
    public void Initializers_hold_theta_bit_for_bit_and_the_scale_as_a_scalar()
    {
        var config = new MlpConfig([6, 5, 3]);
        var (model, theta) = Export(config, scale: 50f);
        var layout = new ParameterLayout(config);
        var initializers = model.Message(7).Messages(5).ToDictionary(t => t.String(8));
        Assert.Equal(["input_scale", "w1", "b1", "w2", "b2"], initializers.Keys);

        var scale = initializers["input_scale"];
        Assert.Empty(scale.All(1));                       // no dims: a scalar
        Assert.Equal(50f, MemoryMarshal.Read<float>(scale.Bytes(9)));
        foreach (var slice in layout.Slices)
        {
            var tensor = initializers[slice.Name];
            Assert.Equal(slice.Shape.Select(d => (object)(ulong)d), tensor.All(1));
            Assert.Equal(OnnxProto.FloatType, tensor.Int(2));
            Assert.Equal(MemoryMarshal.AsBytes(slice.Of((ReadOnlySpan<float>)theta)).ToArray(), tensor.Bytes(9));
        }
    }

    [Fact]
    public void Metadata_records_the_scale_and_layers_and_keeps_the_sources_other_keys()
    {
        var (model, _) = Export(new MlpConfig([6, 5, 3]), scale: 50f);
        var props = model.Messages(14).ToDictionary(p => p.String(1), p => p.String(2));
        Assert.Equal("50", props["input_scale"]);         // the exporter's value, not the source's "ignored"
        Assert.Equal("6,5,3", props["layers"]);
        Assert.Equal("r1", props["run_id"]);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_bad_input_scale_is_bad_input(float scale)
    {
        var layout = new ParameterLayout(new MlpConfig([2, 2]));
        var e = Assert.Throws<ThresherInputException>(() => OnnxExport.Build(layout, new float[layout.TotalLength], scale));
        Assert.Contains("must be a finite number > 0", e.Message, StringComparison.Ordinal);
    }
}
