using System.Text;
using Thresher.Core.ModelFiles;
using static Thresher.Core.Tests.ModelFiles.MalformedFiles;

namespace Thresher.Core.Tests.ModelFiles;

public sealed class SafeTensorsMalformedTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Reads the file and returns the message, after checking it names the file.
    private static string Rejection(string path)
    {
        var e = Assert.Throws<ThresherInputException>(() => SafeTensors.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(" — ", e.Message, StringComparison.Ordinal); // what is wrong — hint
        return e.Message;
    }

    private string Rejection(string header, byte[] data, ulong? declaredHeaderLength = null)
    {
        string path = _dir.File(Guid.NewGuid().ToString("N") + ".safetensors");
        WriteRaw(path, header, data, declaredHeaderLength);
        return Rejection(path);
    }

    private static string Obj(params string[] entries) => "{" + string.Join(",", entries) + "}";

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void File_shorter_than_8_bytes(int length)
    {
        string path = _dir.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);
        Assert.Contains($"the file is {length} bytes, shorter than the 8-byte header length", Rejection(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file() =>
        Assert.Contains("cannot open", Rejection(_dir.File("absent.safetensors")), StringComparison.Ordinal);

    [Fact]
    public void Header_length_larger_than_the_file() =>
        Assert.Contains("header length is 1000 bytes but only 2 bytes follow", Rejection("{}", [], declaredHeaderLength: 1000), StringComparison.Ordinal);

    [Fact]
    public void Absurd_header_length() =>
        Assert.Contains("above the 100000000-byte limit", Rejection("{}", [], declaredHeaderLength: ulong.MaxValue), StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"w1\":")]
    [InlineData("not json at all")]
    [InlineData("")]
    public void Invalid_json(string header) =>
        Assert.Contains("the header is not valid JSON", Rejection(header, []), StringComparison.Ordinal);

    [Fact]
    public void Invalid_utf8_header()
    {
        string path = _dir.File("utf8.safetensors");
        byte[] header = [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(8UL), .. header]);
        Assert.Contains("not valid JSON", Rejection(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Header_not_an_object() =>
        Assert.Contains("the header is a JSON Array, not an object", Rejection("[1,2]", []), StringComparison.Ordinal);

    [Theory]
    [InlineData("dtype")]
    [InlineData("shape")]
    [InlineData("data_offsets")]
    public void Missing_field(string field)
    {
        var fields = new List<string> { "\"dtype\":\"F32\"", "\"shape\":[1]", "\"data_offsets\":[0,4]" };
        fields.RemoveAll(f => f.StartsWith($"\"{field}\"", StringComparison.Ordinal));
        string header = "{\"w1\":{" + string.Join(",", fields) + "}}";
        Assert.Contains($"tensor 'w1' has no \"{field}\" field", Rejection(header, new byte[4]), StringComparison.Ordinal);
    }

    [Fact]
    public void Field_of_the_wrong_kind()
    {
        Assert.Contains("field \"shape\" is a JSON String, expected Array",
            Rejection("""{"w1":{"dtype":"F32","shape":"[1]","data_offsets":[0,4]}}""", new byte[4]), StringComparison.Ordinal);
        Assert.Contains("tensor 'w1' is a JSON Number, not an object", Rejection("""{"w1":3}""", []), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("F64")]
    [InlineData("BF16")]
    public void Dtype_other_than_F32(string dtype)
    {
        string message = Rejection(Obj(Entry("w1", "[1]", 0, 4, dtype)), new byte[4]);
        Assert.Contains($"tensor 'w1' has dtype {dtype}", message, StringComparison.Ordinal);
        Assert.Contains("F32 tensors only", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_does_not_match_the_offsets_span() =>
        Assert.Contains("tensor 'w1' shape [2,3] needs 24 bytes of F32 but data_offsets [0,20] span 20",
            Rejection(Obj(Entry("w1", "[2,3]", 0, 20)), new byte[20]), StringComparison.Ordinal);

    [Theory]
    [InlineData("[-1,2]")]
    [InlineData("[1.5]")]
    [InlineData("[\"2\"]")]
    [InlineData("[4294967296]")]
    public void Shape_not_non_negative_integers(string shape) =>
        Assert.Contains("is not a list of non-negative integers", Rejection(Obj(Entry("w1", shape, 0, 4)), new byte[4]), StringComparison.Ordinal);

    [Fact]
    public void Shape_with_more_values_than_an_array_holds() =>
        Assert.Contains("more values than one array can hold",
            Rejection(Obj(Entry("w1", "[65536,65536]", 0, 4)), new byte[4]), StringComparison.Ordinal);

    [Theory]
    [InlineData("[0]")]
    [InlineData("[0,4,8]")]
    [InlineData("[-4,0]")]
    [InlineData("[0,4.5]")]
    [InlineData("[0,\"4\"]")]
    public void Offsets_not_a_pair_of_non_negative_integers(string offsets) =>
        Assert.Contains($"data_offsets {offsets} are not two non-negative integers",
            Rejection("{\"w1\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":" + offsets + "}}", new byte[4]), StringComparison.Ordinal);

    [Fact]
    public void Offsets_reversed() =>
        Assert.Contains("data_offsets [8,4] end before they begin",
            Rejection(Obj(Entry("w1", "[1]", 8, 4)), new byte[8]), StringComparison.Ordinal);

    [Fact]
    public void Offsets_overlapping() =>
        Assert.Contains("tensor 'b' data_offsets [4,12] overlap 'a' [0,8]",
            Rejection(Obj(Entry("a", "[2]", 0, 8), Entry("b", "[2]", 4, 12)), new byte[12]), StringComparison.Ordinal);

    [Fact]
    public void Offsets_leave_a_gap() =>
        Assert.Contains("data bytes [4,8) before tensor 'b' belong to no tensor",
            Rejection(Obj(Entry("a", "[1]", 0, 4), Entry("b", "[1]", 8, 12)), new byte[12]), StringComparison.Ordinal);

    [Fact]
    public void Offsets_out_of_range_of_the_data_region() =>
        Assert.Contains("tensor 'b' data_offsets [4,8] run past the 4 data bytes",
            Rejection(Obj(Entry("a", "[1]", 0, 4), Entry("b", "[1]", 4, 8)), new byte[4]), StringComparison.Ordinal);

    [Fact]
    public void Trailing_bytes_not_covered() =>
        Assert.Contains("4 trailing data bytes after offset 8 belong to no tensor",
            Rejection(Obj(Entry("a", "[2]", 0, 8)), new byte[12]), StringComparison.Ordinal);

    [Fact]
    public void Truncated_data()
    {
        string path = _dir.File("truncated.safetensors");
        SafeTensors.Write(path, [new("w1", Tensor.Zeros(100, 10)), new("b1", Tensor.Zeros(10))]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);

        string message = Rejection(path);
        Assert.Contains("run past", message, StringComparison.Ordinal);
        Assert.Contains("the file is truncated", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_tensor_names() =>
        Assert.Contains("the header lists 'w1' twice",
            Rejection(Obj(Entry("w1", "[1]", 0, 4), Entry("w1", "[1]", 4, 8)), new byte[8]), StringComparison.Ordinal);

    [Fact]
    public void Bad_metadata()
    {
        Assert.Contains("__metadata__ entry 'step' is a JSON Number, not a string",
            Rejection("""{"__metadata__":{"step":3}}""", []), StringComparison.Ordinal);
        Assert.Contains("__metadata__ is a JSON Array",
            Rejection("""{"__metadata__":["a"]}""", []), StringComparison.Ordinal);
        Assert.Contains("__metadata__ lists 'step' twice",
            Rejection("""{"__metadata__":{"step":"1","step":"2"}}""", []), StringComparison.Ordinal);
        Assert.Contains("the header lists '__metadata__' twice",
            Rejection("""{"__metadata__":{},"__metadata__":{}}""", []), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_header_object_is_a_valid_empty_file()
    {
        string path = _dir.File("empty.safetensors");
        WriteRaw(path, "{}      ", []);
        SafeTensorsFile file = SafeTensors.Read(path);
        Assert.Empty(file.Names);
        Assert.Empty(file.Metadata);
        Assert.Equal(8, Encoding.UTF8.GetByteCount("{}      "));
    }
}
