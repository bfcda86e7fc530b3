using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Thresher.Core.ModelFiles;

/// <summary>One tensor's header entry: F32 values of <see cref="Shape"/> at data bytes [Begin, End).</summary>
internal sealed record SafeTensorsEntry(string Name, int[] Shape, int Count, long Begin, long End);

/// <summary>
/// The safetensors JSON header: <c>{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [...],
/// "data_offsets": [begin, end]}, ...}</c>, offsets relative to the first data byte. Builds it for writing and
/// parses and validates it for reading; every problem becomes a <see cref="ThresherInputException"/> naming the file.
/// </summary>
internal static class SafeTensorsHeader
{
    internal const string MetadataKey = "__metadata__";
    private const string CorruptHint = "is it a safetensors file? Re-export or re-download it";

    /// <summary>The UTF-8 header, space-padded to a multiple of 8 bytes as the reference implementation does.</summary>
    internal static byte[] Build(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps metadata such as a JSON run config readable; the header never lands in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach ((string key, string value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();

            long offset = 0;
            foreach ((string name, Tensor tensor) in tensors)
            {
                long end = offset + (long)tensor.Length * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int dim in tensor.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    /// <summary>Parses the header bytes into entries (header order) and metadata; checks each entry on its own.</summary>
    internal static List<SafeTensorsEntry> Parse(string path, byte[] header, OrderedDictionary<string, string> metadata)
    {
        using JsonDocument document = ParseJson(path, header);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            Fail(path, $"the header is a JSON {root.ValueKind}, not an object", CorruptHint);
        }

        var entries = new List<SafeTensorsEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (!names.Add(property.Name)) Fail(path, $"the header lists '{property.Name}' twice", CorruptHint);
            if (property.Name == MetadataKey) ReadMetadata(path, property.Value, metadata);
            else entries.Add(ReadEntry(path, property.Name, property.Value));
        }
        return entries;
    }

    /// <summary>
    /// Sorts <paramref name="entries"/> by offset and checks that they tile the data region exactly: no overlap,
    /// no gap, nothing past its end, no trailing bytes.
    /// </summary>
    internal static void CheckLayout(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        // Stable sort: zero-size tensors sharing an offset keep header order.
        SafeTensorsEntry[] sorted = [.. entries.OrderBy(e => e.Begin).ThenBy(e => e.End)];
        long expected = 0;
        SafeTensorsEntry? previous = null;
        foreach (SafeTensorsEntry entry in sorted)
        {
            if (entry.Begin < expected)
            {
                Fail(path, $"tensor '{entry.Name}' data_offsets [{entry.Begin},{entry.End}] overlap '{previous!.Name}' [{previous.Begin},{previous.End}]", CorruptHint);
            }
            if (entry.Begin > expected)
            {
                Fail(path, $"data bytes [{expected},{entry.Begin}) before tensor '{entry.Name}' belong to no tensor (offsets must be contiguous)", CorruptHint);
            }
            if (entry.End > dataLength)
            {
                Fail(path, $"tensor '{entry.Name}' data_offsets [{entry.Begin},{entry.End}] run past the {dataLength} data bytes in the file",
                    "the file is truncated (an interrupted copy or write?); copy or export it again");
            }
            expected = entry.End;
            previous = entry;
        }
        if (expected < dataLength)
        {
            Fail(path, $"{dataLength - expected} trailing data bytes after offset {expected} belong to no tensor", CorruptHint);
        }
        entries.Clear();
        entries.AddRange(sorted);
    }

    private static JsonDocument ParseJson(string path, byte[] header)
    {
        // JsonDocument only validates a string's UTF-8 when it is read; check it all up front.
        if (!Utf8.IsValid(header)) Fail(path, "the header is not valid UTF-8, so not valid JSON", CorruptHint);
        try
        {
            return JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new ThresherInputException($"{path}: the header is not valid JSON ({e.Message}) — {CorruptHint}", e);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, OrderedDictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) Fail(path, $"{MetadataKey} is a JSON {value.ValueKind}, not an object of strings", CorruptHint);
        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                Fail(path, $"{MetadataKey} entry '{item.Name}' is a JSON {item.Value.ValueKind}, not a string", CorruptHint);
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) Fail(path, $"{MetadataKey} lists '{item.Name}' twice", CorruptHint);
        }
    }

    private static SafeTensorsEntry ReadEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) Fail(path, $"tensor '{name}' is a JSON {value.ValueKind}, not an object", CorruptHint);
        JsonElement dtype = Field(path, name, value, "dtype", JsonValueKind.String);
        JsonElement shapeArray = Field(path, name, value, "shape", JsonValueKind.Array);
        JsonElement offsets = Field(path, name, value, "data_offsets", JsonValueKind.Array);

        if (dtype.GetString() != "F32")
        {
            Fail(path, $"tensor '{name}' has dtype {dtype.GetString()}",
                "Thresher reads F32 tensors only; convert the file to float32 (e.g. in Python: {k: v.float() for k, v in ...}) and save it again");
        }

        var shape = new int[shapeArray.GetArrayLength()];
        long count = 1;
        int d = 0;
        foreach (JsonElement dim in shapeArray.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out shape[d]) || shape[d] < 0)
            {
                Fail(path, $"tensor '{name}' shape {shapeArray.GetRawText()} is not a list of non-negative integers", CorruptHint);
            }
            count = Math.Min(count * shape[d], (long)Array.MaxLength + 1); // clamp: no long overflow
            d++;
        }
        if (count > Array.MaxLength) Fail(path, $"tensor '{name}' shape {Tensor.FormatShape(shape)} has more values than one array can hold", CorruptHint);

        long begin = 0, end = 0;
        bool offsetsValid = offsets.GetArrayLength() == 2 && TryGetOffset(offsets[0], out begin) && TryGetOffset(offsets[1], out end);
        if (!offsetsValid)
        {
            Fail(path, $"tensor '{name}' data_offsets {offsets.GetRawText()} are not two non-negative integers [begin, end]", CorruptHint);
        }
        if (begin > end) Fail(path, $"tensor '{name}' data_offsets [{begin},{end}] end before they begin", CorruptHint);
        if (end - begin != count * sizeof(float))
        {
            Fail(path, $"tensor '{name}' shape {Tensor.FormatShape(shape)} needs {count * sizeof(float)} bytes of F32 but data_offsets [{begin},{end}] span {end - begin}", CorruptHint);
        }
        return new SafeTensorsEntry(name, shape, (int)count, begin, end);
    }

    private static JsonElement Field(string path, string name, JsonElement entry, string field, JsonValueKind kind)
    {
        if (!entry.TryGetProperty(field, out JsonElement value)) Fail(path, $"tensor '{name}' has no \"{field}\" field", CorruptHint);
        if (value.ValueKind != kind) Fail(path, $"tensor '{name}' field \"{field}\" is a JSON {value.ValueKind}, expected {kind}", CorruptHint);
        return value;
    }

    private static bool TryGetOffset(JsonElement element, out long offset)
    {
        offset = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out offset) && offset >= 0;
    }

    [DoesNotReturn]
    internal static void Fail(string path, string what, string hint) => throw new ThresherInputException($"{path}: {what} — {hint}.");
}
