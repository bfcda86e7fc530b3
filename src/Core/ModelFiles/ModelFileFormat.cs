namespace Thresher.Core.ModelFiles;

/// <summary>The model file formats Thresher writes (and reads back for `thresher eval`).</summary>
public enum ModelFileFormat
{
    /// <summary>safetensors: F32 tensors w1, b1, … plus string metadata (<see cref="SafeTensors"/>).</summary>
    Safetensors,

    /// <summary>ONNX: the MLP as a Div + Gemm/Relu graph (<see cref="OnnxExport"/>).</summary>
    Onnx,
}

public static class ModelFileFormats
{
    /// <summary>Parses a --format value (onnx, safetensors; case-insensitive).</summary>
    public static ModelFileFormat Parse(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "onnx" => ModelFileFormat.Onnx,
        "safetensors" => ModelFileFormat.Safetensors,
        _ => throw new ThresherInputException($"format '{text}': unknown model format; expected onnx or safetensors"),
    };

    /// <summary>The format a file name's extension names (.onnx, .safetensors), or null for any other name.</summary>
    public static ModelFileFormat? FromExtension(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        if (extension.Equals(".onnx", StringComparison.OrdinalIgnoreCase)) return ModelFileFormat.Onnx;
        if (extension.Equals(".safetensors", StringComparison.OrdinalIgnoreCase)) return ModelFileFormat.Safetensors;
        return null;
    }

    /// <summary>
    /// The format of an existing file: by extension, else by content — safetensors begins with an 8-byte
    /// header length and then '{'; an ONNX ModelProto begins with field 1 (ir_version) as a varint, tag byte 0x08.
    /// </summary>
    public static ModelFileFormat Detect(string path)
    {
        if (FromExtension(path) is { } format) return format;
        Span<byte> head = stackalloc byte[9];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresherInputException($"{path}: cannot open the model file ({e.Message}) — check the path and permissions.", e);
        }
        if (read == head.Length && head[8] == (byte)'{') return ModelFileFormat.Safetensors;
        if (read > 0 && head[0] == 0x08) return ModelFileFormat.Onnx;
        throw new ThresherInputException($"{path}: neither a safetensors nor an ONNX model file — name it .safetensors or .onnx if it is one, or export it again with `thresher export`.");
    }

    public static string Name(this ModelFileFormat format) => format == ModelFileFormat.Onnx ? "onnx" : "safetensors";
}
