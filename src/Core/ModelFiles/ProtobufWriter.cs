using System.Buffers.Binary;
using System.Text;

namespace Thresher.Core.ModelFiles;

/// <summary>
/// The protocol-buffers wire format, as much of it as an ONNX file needs: each field is a tag
/// (field number &lt;&lt; 3 | wire type) followed by a varint (wire type 0: integers, enums), four little-endian
/// bytes (type 5: float) or a varint length and that many bytes (type 2: strings, bytes, nested messages,
/// packed repeated scalars). A nested message is written into its own writer first, so its length is known
/// before it is copied into the parent (messages here are at most a few hundred MB: one model's weights).
/// </summary>
public sealed class ProtobufWriter
{
    const int VarintWire = 0, Fixed32Wire = 5, LengthDelimitedWire = 2;

    readonly MemoryStream _buffer = new();

    /// <summary>Bytes written so far.</summary>
    public long Length => _buffer.Length;

    /// <summary>An int32/int64/enum field: the value as a varint; negative values take ten bytes (two's complement), as protobuf does.</summary>
    public ProtobufWriter Int64(int field, long value)
    {
        Tag(field, VarintWire);
        Varint((ulong)value);
        return this;
    }

    /// <summary>A float field: four little-endian IEEE 754 bytes.</summary>
    public ProtobufWriter Float(int field, float value)
    {
        Tag(field, Fixed32Wire);
        Span<byte> bytes = stackalloc byte[sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>A string field, UTF-8 without a terminator.</summary>
    public ProtobufWriter String(int field, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A bytes field: length, then the bytes.</summary>
    public ProtobufWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedWire);
        Varint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A nested message field: <paramref name="message"/>'s bytes, length-prefixed.</summary>
    public ProtobufWriter Message(int field, ProtobufWriter message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Bytes(field, message.Written);
    }

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public ReadOnlySpan<byte> Written => _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    void Tag(int field, int wireType)
    {
        // Field numbers are 1..2^29 − 1 (19000..19999 are reserved by protobuf; ONNX uses none of them).
        ArgumentOutOfRangeException.ThrowIfLessThan(field, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(field, (1 << 29) - 1);
        Varint(((ulong)field << 3) | (uint)wireType);
    }

    // Seven bits per byte, least significant first; the high bit says another byte follows.
    void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
