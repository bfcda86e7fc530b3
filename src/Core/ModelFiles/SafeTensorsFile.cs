namespace Thresher.Core.ModelFiles;

/// <summary>
/// The contents of a safetensors file read by <see cref="SafeTensors.Read"/>: its F32 tensors by name, in the
/// order their data lies in the file (for files Thresher writes, the order they were written), and the
/// <c>__metadata__</c> string map (empty when the file has none).
/// </summary>
public sealed class SafeTensorsFile
{
    private readonly OrderedDictionary<string, Tensor> _tensors;
    private readonly OrderedDictionary<string, string> _metadata;

    internal SafeTensorsFile(string path, OrderedDictionary<string, Tensor> tensors, OrderedDictionary<string, string> metadata)
    {
        Path = path;
        _tensors = tensors;
        _metadata = metadata;
    }

    /// <summary>The path the file was read from, as given; used in error messages.</summary>
    public string Path { get; }

    /// <summary>Tensors by name; enumerates in file order.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>Tensor names in file order.</summary>
    public IReadOnlyList<string> Names => _tensors.Keys;

    /// <summary>The header's <c>__metadata__</c> entries in header order.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>The tensor called <paramref name="name"/>; a <see cref="ThresherInputException"/> naming the file if absent.</summary>
    public Tensor this[string name] => _tensors.TryGetValue(name, out Tensor? tensor)
        ? tensor
        : throw new ThresherInputException(
            $"{Path}: has no tensor '{name}' (it has {FormatNames(_tensors.Keys)}) — was it written for another model?");

    /// <summary>
    /// Every way the file differs from the <paramref name="expected"/> tensors, one line each, e.g.
    /// <c>w1: expected shape [784,512], file has [784,256]</c>, <c>b3: missing from the file</c>,
    /// <c>w4: in the file but not expected</c>. Empty when names and shapes all match.
    /// </summary>
    public IReadOnlyList<string> FindShapeMismatches(IEnumerable<(string Name, int[] Shape)> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, int[] shape) in expected)
        {
            seen.Add(name);
            if (!_tensors.TryGetValue(name, out Tensor? tensor))
            {
                problems.Add($"{name}: missing from the file (expected shape {Tensor.FormatShape(shape)})");
            }
            else if (!tensor.Shape.AsSpan().SequenceEqual(shape))
            {
                problems.Add($"{name}: expected shape {Tensor.FormatShape(shape)}, file has {Tensor.FormatShape(tensor.Shape)}");
            }
        }
        foreach ((string name, Tensor tensor) in _tensors)
        {
            if (!seen.Contains(name)) problems.Add($"{name}: in the file (shape {Tensor.FormatShape(tensor.Shape)}) but not expected");
        }
        return problems;
    }

    /// <summary>
    /// Throws a <see cref="ThresherInputException"/> listing every mismatch from <see cref="FindShapeMismatches"/> on one
    /// line, with a hint, unless the file holds exactly the expected names and shapes.
    /// </summary>
    public void EnsureShapes(IEnumerable<(string Name, int[] Shape)> expected)
    {
        IReadOnlyList<string> problems = FindShapeMismatches(expected);
        if (problems.Count == 0) return;
        // One line (the CLI's rule for bad input): the mismatches joined, then the hint.
        throw new ThresherInputException(
            $"{Path}: the tensors do not match the model ({string.Join("; ", problems)}); the file was written for other layer sizes: pass the --layers it was trained with, or start without it");
    }

    private static string FormatNames(IEnumerable<string> names)
    {
        string list = string.Join(", ", names);
        return list.Length == 0 ? "no tensors" : list;
    }
}
