using System.Buffers.Binary;
using System.Text;

namespace Thresher.Core.Tests.ModelFiles;

/// <summary>
/// A protobuf message decoded into its fields (test helper, independent of the writer): each field number maps to
/// its values in order — a varint as ulong, a fixed32 as uint, a length-delimited field as its bytes.
/// Enough to read back the ONNX files Thresher writes and check them against onnx.proto's field numbers.
/// </summary>
internal sealed class ProtobufMessage
{
    readonly Dictionary<int, List<object>> _fields = [];

    public ProtobufMessage(ReadOnlySpan<byte> bytes)
    {
        int at = 0;
        while (at < bytes.Length)
        {
            ulong tag = ReadVarint(bytes, ref at);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            object value = wire switch
            {
                0 => ReadVarint(bytes, ref at),
                5 => BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice((at += 4) - 4, 4)),
                2 => ReadLengthDelimited(bytes, ref at),
                _ => throw new InvalidDataException($"wire type {wire} of field {field} at byte {at}"),
            };
            if (!_fields.TryGetValue(field, out var list)) _fields[field] = list = [];
            list.Add(value);
        }
    }

    public IReadOnlyCollection<int> Fields => _fields.Keys;

    public IReadOnlyList<object> All(int field) => _fields.TryGetValue(field, out var list) ? list : [];

    public long Int(int field) => (long)(ulong)Single(field);

    public float Float(int field) => BitConverter.UInt32BitsToSingle((uint)Single(field));

    public byte[] Bytes(int field) => (byte[])Single(field);

    public string String(int field) => Encoding.UTF8.GetString(Bytes(field));

    public ProtobufMessage Message(int field) => new(Bytes(field));

    public IEnumerable<ProtobufMessage> Messages(int field) => All(field).Select(b => new ProtobufMessage((byte[])b));

    public IEnumerable<string> Strings(int field) => All(field).Select(b => Encoding.UTF8.GetString((byte[])b));

    object Single(int field)
    {
        var values = All(field);
        Assert.True(values.Count == 1, $"field {field}: {values.Count} values, expected 1");
        return values[0];
    }

    static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    static byte[] ReadLengthDelimited(ReadOnlySpan<byte> bytes, ref int at)
    {
        int length = checked((int)ReadVarint(bytes, ref at));
        byte[] value = bytes.Slice(at, length).ToArray();
        at += length;
        return value;
    }
}
