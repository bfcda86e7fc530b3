using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Thresher.Core.ModelFiles;

/// <summary>
/// The ONNX messages Thresher writes, with onnx.proto's field numbers (onnx/onnx.proto, proto2): ModelProto,
/// OperatorSetIdProto, StringStringEntryProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto, TypeProto.Tensor, TensorShapeProto.Dimension. Fields left out take their defaults.
/// </summary>
public static class OnnxProto
{
    /// <summary>TensorProto.DataType FLOAT.</summary>
    public const int FloatType = 1;

    /// <summary>AttributeProto.AttributeType INT.</summary>
    public const int IntAttributeType = 2;

    /// <summary>
    /// ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7,
    /// opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2; domain "" is the default ai.onnx set),
    /// metadata_props = 14 (StringStringEntryProto: key = 1, value = 2).
    /// </summary>
    public static ProtobufWriter Model(long irVersion, long opset, string producer, string producerVersion, string doc,
        ProtobufWriter graph, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var model = new ProtobufWriter()
            .Int64(1, irVersion)
            .String(2, producer)
            .String(3, producerVersion)
            .String(6, doc)
            .Message(7, graph)
            .Message(8, new ProtobufWriter().String(1, "").Int64(2, opset));
        foreach ((string key, string value) in metadata) model.Message(14, new ProtobufWriter().String(1, key).String(2, value));
        return model;
    }

    /// <summary>GraphProto: node = 1 (topological order), name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.</summary>
    public static ProtobufWriter Graph(string name, string doc, IEnumerable<ProtobufWriter> nodes, IEnumerable<ProtobufWriter> initializers,
        ProtobufWriter input, ProtobufWriter output)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(initializers);
        var graph = new ProtobufWriter();
        foreach (ProtobufWriter node in nodes) graph.Message(1, node);
        graph.String(2, name);
        foreach (ProtobufWriter initializer in initializers) graph.Message(5, initializer);
        return graph.String(10, doc).Message(11, input).Message(12, output);
    }

    /// <summary>NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5 (domain = 7 left empty: ai.onnx).</summary>
    public static ProtobufWriter Node(string name, string opType, string[] inputs, string[] outputs, params ProtobufWriter[] attributes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        var node = new ProtobufWriter();
        foreach (string input in inputs) node.String(1, input);
        foreach (string output in outputs) node.String(2, output);
        node.String(3, name).String(4, opType);
        foreach (ProtobufWriter attribute in attributes) node.Message(5, attribute);
        return node;
    }

    /// <summary>AttributeProto of type INT: name = 1, i = 3, type = 20.</summary>
    public static ProtobufWriter IntAttribute(string name, long value)
        => new ProtobufWriter().String(1, name).Int64(3, value).Int64(20, IntAttributeType);

    /// <summary>
    /// TensorProto of FLOAT: dims = 1 (one varint each; an empty list is a scalar), data_type = 2, name = 8,
    /// raw_data = 9 (the values as little-endian IEEE 754 bytes, row-major, bit for bit).
    /// </summary>
    public static ProtobufWriter FloatTensor(string name, ReadOnlySpan<int> dims, ReadOnlySpan<float> values)
    {
        long count = 1;
        var tensor = new ProtobufWriter();
        foreach (int dim in dims)
        {
            tensor.Int64(1, dim);
            count *= dim;
        }
        if (count != values.Length) throw new ArgumentException($"tensor {name}: dims hold {count} values, {values.Length} given", nameof(values));
        tensor.Int64(2, FloatType).String(8, name);
        if (BitConverter.IsLittleEndian) return tensor.Bytes(9, MemoryMarshal.AsBytes(values));
        var swapped = new uint[values.Length];
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, uint>(values), swapped);
        return tensor.Bytes(9, MemoryMarshal.AsBytes(swapped.AsSpan()));
    }

    /// <summary>
    /// ValueInfoProto (name = 1, type = 2) of a FLOAT tensor: TypeProto.tensor_type = 1 → TypeProto.Tensor
    /// (elem_type = 1, shape = 2) → TensorShapeProto.dim = 1 → Dimension (dim_value = 1 | dim_param = 2).
    /// A dimension given as a string is symbolic (dynamic, e.g. the batch "N"); an int is fixed.
    /// </summary>
    public static ProtobufWriter FloatValueInfo(string name, params object[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var shape = new ProtobufWriter();
        foreach (object dim in dims)
        {
            var dimension = dim switch
            {
                string param => new ProtobufWriter().String(2, param),
                int value => new ProtobufWriter().Int64(1, value),
                _ => throw new ArgumentException($"dimension {dim} of {name} is neither a symbol nor an int", nameof(dims)),
            };
            shape.Message(1, dimension);
        }
        var tensorType = new ProtobufWriter().Int64(1, FloatType).Message(2, shape);
        return new ProtobufWriter().String(1, name).Message(2, new ProtobufWriter().Message(1, tensorType));
    }
}
