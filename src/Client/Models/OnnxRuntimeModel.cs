using Microsoft.ML.OnnxRuntime;
using Thresher.Core.ModelFiles;

namespace Thresher.Client.Models;

/// <summary>
/// An ONNX classifier run by ONNX Runtime (CPU): one float input [N, features] and one float output
/// [N, classes], N dynamic — the shape of what `thresher export --format onnx` writes, which divides the raw
/// pixels by its input scale itself. Not thread-safe: one instance per evaluating thread.
/// </summary>
public sealed class OnnxRuntimeModel : IDisposable
{
    readonly InferenceSession _session;
    readonly RunOptions _run = new();
    readonly string _input, _output;
    float[] _x = [], _logits = [];

    OnnxRuntimeModel(string path, InferenceSession session)
    {
        _session = session;
        (_input, Features) = OnlyMatrix(path, "input", session.InputMetadata);
        (_output, Classes) = OnlyMatrix(path, "output", session.OutputMetadata);
        Metadata = session.ModelMetadata.CustomMetadataMap;
    }

    /// <summary>Input width (784 for MNIST).</summary>
    public int Features { get; }

    /// <summary>Output width (10 for MNIST).</summary>
    public int Classes { get; }

    /// <summary>The model's metadata_props (input_scale, layers, loss, step, run_id, config for Thresher's exports).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Loads <paramref name="path"/>; a file ONNX Runtime rejects, or of another shape, is bad input.</summary>
    public static OnnxRuntimeModel Open(string path)
    {
        if (!File.Exists(path)) throw new ThresherInputException($"{path}: no such model file — check the path");
        InferenceSession session;
        try
        {
            session = new InferenceSession(path);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ThresherInputException($"{path}: ONNX Runtime cannot load it ({FirstLine(e.Message)}) — is it an ONNX model? `thresher export RUN|FILE.safetensors --out model.onnx` writes one.", e);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException($"ONNX Runtime's native library (libonnxruntime) does not load on this machine: {e.Message}", e);
        }
        try
        {
            return new OnnxRuntimeModel(path, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Logits [rows, Classes] of x [rows, Features]; valid until the next call.</summary>
    public ReadOnlySpan<float> Logits(ReadOnlySpan<float> x, int rows)
    {
        int inputs = rows * Features, outputs = rows * Classes;
        if (_x.Length < inputs) _x = new float[inputs];
        if (_logits.Length < outputs) _logits = new float[outputs];
        x[..inputs].CopyTo(_x);
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _x.AsMemory(0, inputs), [rows, Features]);
        using var results = _session.Run(_run, [_input], [input], [_output]);
        ReadOnlySpan<float> logits = results.First().GetTensorDataAsSpan<float>();
        if (logits.Length != outputs)
            throw new ThresherInputException($"the model returned {logits.Length} values for {rows} rows, expected {rows} × {Classes}");
        logits.CopyTo(_logits);
        return _logits.AsSpan(0, outputs);
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }

    // The single float tensor [N, width] with a fixed width; anything else is not a model `eval` can feed.
    static (string Name, int Width) OnlyMatrix(string path, string role, IReadOnlyDictionary<string, NodeMetadata> values)
    {
        if (values.Count != 1)
            throw new ThresherInputException($"{path}: the model has {values.Count} {role}s ({string.Join(", ", values.Keys)}); `thresher eval` takes models with one {role}, [N, width]");
        var (name, value) = values.First();
        int[] dims = value.IsTensor ? value.Dimensions : [];
        if (!value.IsTensor || value.ElementType != typeof(float) || dims.Length != 2 || dims[1] <= 0)
            throw new ThresherInputException($"{path}: {role} '{name}' is {Describe(value)}; `thresher eval` needs a float tensor [N, width] with a fixed width");
        return (name, dims[1]);
    }

    static string Describe(NodeMetadata value) => value.IsTensor
        ? $"a {value.ElementType.Name} tensor [{string.Join(", ", value.Dimensions.Select((d, i) => d < 0 ? value.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]"
        : $"a {value.OnnxValueType}";

    static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
