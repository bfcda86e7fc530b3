using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Thresher.Core.ModelFiles;

/// <summary>
/// safetensors files of F32 tensors: an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON header
/// (see <see cref="SafeTensorsHeader"/>), then the tensors' raw little-endian bytes back to back.
/// Model files (`thresher export`, `train --out`) are written this way, tensors named w1, b1, w2, ...
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted on reading (as the reference implementation: 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Writes <paramref name="tensors"/> in enumeration order, data contiguous, and <paramref name="metadata"/> as
    /// <c>__metadata__</c>. Atomic (<see cref="AtomicFile"/>): a reader never sees a half-written file.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, repeated or <c>__metadata__</c>, or a tensor is null.</exception>
    /// <exception cref="ThresherInputException">The file cannot be written (the message names it).</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        List<KeyValuePair<string, Tensor>> ordered = CheckTensors(tensors);
        List<KeyValuePair<string, string>> meta = CheckMetadata(metadata ?? []);
        byte[] header = SafeTensorsHeader.Build(ordered, meta);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach ((_, Tensor tensor) in ordered) WriteLittleEndian(stream, tensor.Data);
        });
    }

    /// <summary>
    /// Reads a safetensors file of F32 tensors, validating the header length, the JSON, every entry (dtype F32,
    /// shape × 4 = offset span) and the layout (offsets tile the data region exactly).
    /// </summary>
    /// <exception cref="ThresherInputException">The file is missing, unreadable or malformed; the message names
    /// the file, what is wrong and what to do.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return Read(path, stream);
        }
        catch (EndOfStreamException e)
        {
            throw new ThresherInputException($"{path}: the file ended early while reading (did it change during the read?) — read it again.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresherInputException($"{path}: cannot open the model file ({e.Message}) — check the path and permissions.", e);
        }
    }

    private static SafeTensorsFile Read(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < sizeof(ulong))
        {
            SafeTensorsHeader.Fail(path, $"the file is {fileLength} bytes, shorter than the 8-byte header length",
                "it is empty or truncated; copy or export it again");
        }
        Span<byte> lengthBytes = stackalloc byte[sizeof(ulong)];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            SafeTensorsHeader.Fail(path, $"the header length is {headerLength} bytes, above the {MaxHeaderBytes}-byte limit",
                "this is not a safetensors file, or its first 8 bytes are damaged");
        }
        if ((long)headerLength > fileLength - sizeof(ulong))
        {
            SafeTensorsHeader.Fail(path, $"the header length is {headerLength} bytes but only {fileLength - sizeof(ulong)} bytes follow it",
                "the file is truncated or not a safetensors file; copy or export it again");
        }

        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        List<SafeTensorsEntry> entries = SafeTensorsHeader.Parse(path, header, metadata);
        SafeTensorsHeader.CheckLayout(path, entries, fileLength - sizeof(ulong) - (long)headerLength);

        // The layout check guarantees the entries, now in offset order, tile the data region: read them in sequence.
        var tensors = new OrderedDictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (SafeTensorsEntry entry in entries)
        {
            var values = new float[entry.Count];
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            if (!BitConverter.IsLittleEndian)
            {
                Span<uint> bits = MemoryMarshal.Cast<float, uint>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            tensors.Add(entry.Name, new Tensor(values, entry.Shape));
        }
        return new SafeTensorsFile(path, tensors, metadata);
    }

    // Raw bits, never through float arithmetic: NaN payloads, -0 and subnormals survive.
    private static void WriteLittleEndian(Stream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }
        uint[] swapped = new uint[data.Length];
        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, uint>(data.AsSpan()), swapped);
        stream.Write(MemoryMarshal.AsBytes(swapped.AsSpan()));
    }

    private static List<KeyValuePair<string, Tensor>> CheckTensors(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var list = new List<KeyValuePair<string, Tensor>>(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, Tensor tensor) in list)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("A tensor name is null or empty.", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey) throw new ArgumentException($"'{name}' is reserved for metadata; rename the tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Tensor name '{name}' appears twice; names must be unique.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
        }
        return list;
    }

    private static List<KeyValuePair<string, string>> CheckMetadata(IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var list = new List<KeyValuePair<string, string>>(metadata);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string key, string value) in list)
        {
            if (key is null || value is null) throw new ArgumentException("A metadata key or value is null.", nameof(metadata));
            if (!keys.Add(key)) throw new ArgumentException($"Metadata key '{key}' appears twice.", nameof(metadata));
        }
        return list;
    }
}
