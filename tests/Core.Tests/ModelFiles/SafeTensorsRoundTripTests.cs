using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Thresher.Core.ModelFiles;

namespace Thresher.Core.Tests.ModelFiles;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float FromBits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    [Fact]
    public void Round_trip_is_bit_exact_for_special_values()
    {
        float[] special =
        [
            -0f, 0f, float.Epsilon, -float.Epsilon, FromBits(0x007FFFFF) /* largest subnormal */, float.MaxValue, float.MinValue,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN, FromBits(0x7FC00001) /* NaN payload */,
            FromBits(0xFFFFFFFF), FromBits(0x7F800001) /* signaling NaN */, 1f / 3f,
        ];
        var rng = new Random(1);
        var weights = new float[784 * 512];
        for (int i = 0; i < weights.Length; i++) weights[i] = FromBits((uint)rng.NextInt64(0, 1L << 32)); // every bit pattern
        KeyValuePair<string, Tensor>[] tensors =
        [
            new("special", new Tensor(special, 2, 7)),
            new("w1", new Tensor(weights, 784, 512)),
            new("scalar", new Tensor([42f])),
            new("empty", Tensor.Zeros(0, 3)),
            new("b1", Tensor.FromArray(1f, -2f)),
        ];
        string path = _dir.File("model.safetensors");

        SafeTensors.Write(path, tensors);
        SafeTensorsFile file = SafeTensors.Read(path);

        Assert.Equal(["special", "w1", "scalar", "empty", "b1"], file.Names);
        foreach ((string name, Tensor expected) in tensors)
        {
            Assert.Equal(expected.Shape, file[name].Shape);
            Assert.Equal(expected.Data.Select(BitConverter.SingleToUInt32Bits), file[name].Data.Select(BitConverter.SingleToUInt32Bits));
        }
        Assert.Empty(file.Metadata);
        Assert.Equal(path, file.Path);
    }

    [Fact]
    public void Metadata_round_trips_in_order_with_any_characters()
    {
        KeyValuePair<string, string>[] metadata =
        [
            new("step", "1200"),
            new("config", """{"layers":[784,512,256,10],"clip":15.0,"note":"x/50 <&> 'quoted' ünïcode ✓"}"""),
            new("empty", ""),
        ];
        string path = _dir.File("meta.safetensors");

        SafeTensors.Write(path, [new("w1", Tensor.FromArray(1f))], metadata);
        SafeTensorsFile file = SafeTensors.Read(path);

        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void Layout_follows_the_reference_format()
    {
        string path = _dir.File("layout.safetensors");
        SafeTensors.Write(path, [new("w1", Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3)), new("b1", Tensor.FromArray(7f, 8f))],
            [new("step", "3")]);

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8); // padded with spaces like the reference implementation
        Assert.Equal(8 + (long)headerLength + 8 * 4, bytes.Length);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.Equal(
            """{"__metadata__":{"step":"3"},"w1":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b1":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}""",
            header.TrimEnd(' '));
        using JsonDocument parsed = JsonDocument.Parse(header); // padding is valid JSON whitespace
        Assert.Equal(1f, BitConverter.ToSingle(bytes, 8 + (int)headerLength)); // little-endian raw data
        Assert.Equal(8f, BitConverter.ToSingle(bytes, bytes.Length - 4));
    }

    [Fact]
    public void Reads_a_file_written_by_another_implementation()
    {
        // Header without metadata, entries out of data order, fields in another order, extra whitespace, no padding.
        string header = """{ "b" : {"data_offsets":[8,12], "shape":[1], "dtype":"F32"}, "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]} }""";
        byte[] data = [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f), .. BitConverter.GetBytes(3f)];
        string path = _dir.File("foreign.safetensors");
        MalformedFiles.WriteRaw(path, header, data);

        SafeTensorsFile file = SafeTensors.Read(path);

        Assert.Equal(["a", "b"], file.Names); // file (offset) order
        Assert.Equal([1.5f, -2f], file["a"].Data);
        Assert.Equal([3f], file["b"].Data);
    }

    [Fact]
    public void Overwrite_replaces_the_file_and_leaves_no_temporary_files()
    {
        string path = _dir.File("ckpt.safetensors");
        SafeTensors.Write(path, [new("w1", Tensor.FromArray(1f, 2f))]);
        SafeTensors.Write(path, [new("w1", Tensor.FromArray(3f))], [new("step", "2")]);

        SafeTensorsFile file = SafeTensors.Read(path);
        Assert.Equal([3f], file["w1"].Data);
        Assert.Equal("2", file.Metadata["step"]);
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Write_into_a_missing_directory_names_the_path()
    {
        string path = Path.Combine(_dir.Path, "no", "such", "dir", "m.safetensors");
        var e = Assert.Throws<ThresherInputException>(() => SafeTensors.Write(path, [new("w1", Tensor.FromArray(1f))]));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_rejects_bad_names()
    {
        string path = _dir.File("bad.safetensors");
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Write(path, [new("w1", Tensor.FromArray(1f)), new("w1", Tensor.FromArray(2f))])).Message, StringComparison.Ordinal);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() =>
            SafeTensors.Write(path, [new("__metadata__", Tensor.FromArray(1f))])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new("", Tensor.FromArray(1f))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [new("w1", null!)]));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Shape_check_reports_every_mismatch()
    {
        string path = _dir.File("shapes.safetensors");
        SafeTensors.Write(path, [new("w1", Tensor.Zeros(784, 256)), new("b1", Tensor.Zeros(256)), new("w9", Tensor.Zeros(1))]);
        SafeTensorsFile file = SafeTensors.Read(path);
        (string, int[])[] expected = [("w1", [784, 512]), ("b1", [256]), ("w2", [512, 256])];

        Assert.Equal(
            ["w1: expected shape [784,512], file has [784,256]", "w2: missing from the file (expected shape [512,256])", "w9: in the file (shape [1]) but not expected"],
            file.FindShapeMismatches(expected));
        var e = Assert.Throws<ThresherInputException>(() => file.EnsureShapes(expected));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("w1: expected shape [784,512], file has [784,256]", e.Message, StringComparison.Ordinal);
        Assert.Contains("pass the --layers it was trained with", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message); // bad input is one line on stderr

        file.EnsureShapes([("w1", [784, 256]), ("b1", [256]), ("w9", [1])]); // exact match: no throw
        Assert.Contains("no tensor 'w2'", Assert.Throws<ThresherInputException>(() => file["w2"]).Message, StringComparison.Ordinal);
    }
}
