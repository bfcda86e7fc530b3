using Thresher.Core.ModelFiles;

namespace Thresher.Core.Tests.ModelFiles;

/// <summary>The wire format against protobuf's documented encodings (protobuf.dev, "Encoding").</summary>
public sealed class ProtobufWriterTests
{
    [Theory]
    [InlineData(0L, new byte[] { 0x08, 0x00 })]
    [InlineData(1L, new byte[] { 0x08, 0x01 })]
    [InlineData(127L, new byte[] { 0x08, 0x7F })]
    [InlineData(150L, new byte[] { 0x08, 0x96, 0x01 })]   // the documentation's example
    [InlineData(300L, new byte[] { 0x08, 0xAC, 0x02 })]
    [InlineData(-1L, new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // int64 −1: ten bytes
    public void Varint_fields_encode_as_protobuf_does(long value, byte[] expected)
        => Assert.Equal(expected, new ProtobufWriter().Int64(1, value).ToArray());

    [Fact]
    public void Tags_combine_field_number_and_wire_type()
    {
        // field 2 string "testing": tag 0x12 = 2 << 3 | 2, length 7.
        Assert.Equal([0x12, 0x07, .. "testing"u8], new ProtobufWriter().String(2, "testing").ToArray());
        // field 20 varint (AttributeProto.type): tag 160 = 20 << 3 | 0 takes two bytes, 0xA0 0x01.
        Assert.Equal(new byte[] { 0xA0, 0x01, 0x02 }, new ProtobufWriter().Int64(20, 2).ToArray());
        // field 2 float (AttributeProto.f): tag 0x15 = 2 << 3 | 5, then 1.0f little-endian.
        Assert.Equal(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }, new ProtobufWriter().Float(2, 1f).ToArray());
    }

    [Fact]
    public void A_nested_message_is_its_bytes_length_prefixed()
    {
        var inner = new ProtobufWriter().Int64(1, 150);
        Assert.Equal(new byte[] { 0x1A, 0x03, 0x08, 0x96, 0x01 }, new ProtobufWriter().Message(3, inner).ToArray());

        var big = new ProtobufWriter().Bytes(1, new byte[200]);  // 203 bytes: the outer length is a 2-byte varint
        byte[] outer = new ProtobufWriter().Message(7, big).ToArray();
        Assert.Equal(new byte[] { 0x3A, 0xCB, 0x01 }, outer[..3]);
        Assert.Equal(3 + 203, outer.Length);
    }

    [Fact]
    public void Field_numbers_outside_protobufs_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtobufWriter().Int64(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtobufWriter().Int64(1 << 29, 1));
    }
}
