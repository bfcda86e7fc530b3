using System.Buffers.Binary;
using System.IO.Compression;
using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(false, "images")]
    [InlineData(true, "images.gz")]
    [InlineData(true, "images")] // gzip detected by content, not by name
    public void Images_round_trip_raw_and_gzip(bool gzip, string name)
    {
        using var dir = new TempDir();
        var pixels = TinyDataset.Pixels(5);
        IdxWriter.WriteImages(dir.File(name), pixels, 5, 4, 3, gzip);
        var images = IdxReader.ReadImages(dir.File(name));
        Assert.Equal((5, 4, 3), (images.Count, images.Rows, images.Cols));
        Assert.Equal(pixels, images.Pixels.ToArray());
        Assert.Equal(gzip, images.File.Compressed);
        Assert.Equal(new FileInfo(dir.File(name)).Length, images.File.Bytes);
    }

    [Fact]
    public void Content_hash_of_a_gz_file_equals_the_raw_file_hash()
    {
        using var dir = new TempDir();
        var labels = TinyDataset.Labels(33);
        IdxWriter.WriteLabels(dir.File("raw"), labels);
        IdxWriter.WriteLabels(dir.File("gz"), labels, gzip: true);
        var raw = IdxReader.ReadLabels(dir.File("raw"));
        var gz = IdxReader.ReadLabels(dir.File("gz"));
        Assert.Equal(labels, gz.Labels.ToArray());
        Assert.Equal(raw.File.Sha256, gz.File.ContentSha256);
        Assert.NotEqual(gz.File.Sha256, gz.File.ContentSha256);
    }

    [Fact]
    public void Wrong_magic_names_the_file_and_the_magic()
    {
        using var dir = new TempDir();
        var bytes = Header(0x12345678, 1, 2, 2).Concat(new byte[4]).ToArray();
        File.WriteAllBytes(dir.File("x"), bytes);
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("x")));
        Assert.Contains(dir.File("x"), e.Message, StringComparison.Ordinal);
        Assert.Contains("wrong magic number 0x12345678", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_file_read_as_images_suggests_swapped_names()
    {
        using var dir = new TempDir();
        IdxWriter.WriteLabels(dir.File("labels"), TinyDataset.Labels(20));
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("labels")));
        Assert.Contains("swapped", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_images_report_expected_and_found_bytes(bool gzip)
    {
        using var dir = new TempDir();
        var bytes = Header(IdxReader.ImageMagic, 10, 4, 3).Concat(new byte[100]).ToArray();
        WriteMaybeGzip(dir.File("x"), bytes, gzip);
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("x")));
        Assert.Contains("expected 136 bytes for 10 images of 4x3, found 116", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_labels_are_reported()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("l"), Header(IdxReader.LabelMagic, 10).Concat(new byte[3]).ToArray());
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadLabels(dir.File("l")));
        Assert.Contains("expected 18 bytes for 10 labels, found 11", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("x"), [0, 0, 8, 3, 0, 0]);
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("x")));
        Assert.Contains("shorter than the 16-byte IDX image header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_bytes_after_the_data_are_reported()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("l"), Header(IdxReader.LabelMagic, 2).Concat(new byte[5]).ToArray());
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadLabels(dir.File("l")));
        Assert.Contains("(3 extra)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_is_reported()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("x"), []);
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadLabels(dir.File("x")));
        Assert.Contains("the file is empty", e.Message, StringComparison.Ordinal);
        Assert.Contains(dir.File("x"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_is_reported()
    {
        using var dir = new TempDir();
        IdxWriter.WriteImages(dir.File("x.gz"), TinyDataset.Pixels(50), 50, 4, 3, gzip: true);
        var bytes = File.ReadAllBytes(dir.File("x.gz"));
        for (int i = 12; i < bytes.Length - 8; i++) bytes[i] ^= 0x5A; // scramble the deflate stream
        File.WriteAllBytes(dir.File("x.gz"), bytes);
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("x.gz")));
        Assert.Contains(dir.File("x.gz"), e.Message, StringComparison.Ordinal);
        Assert.Contains("gzip", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_gzip_is_reported()
    {
        using var dir = new TempDir();
        IdxWriter.WriteImages(dir.File("x.gz"), TinyDataset.Pixels(50), 50, 4, 3, gzip: true);
        var bytes = File.ReadAllBytes(dir.File("x.gz"));
        File.WriteAllBytes(dir.File("x.gz"), bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("x.gz")));
        Assert.Contains(dir.File("x.gz"), e.Message, StringComparison.Ordinal);
        Assert.Matches("truncated|corrupt", e.Message);
    }

    [Theory]
    [InlineData(-1, 4, 3, "image count is -1")]
    [InlineData(0, 4, 3, "image count is 0")]
    [InlineData(2, 0, 3, "row count is 0")]
    public void Bad_dimensions_are_reported(int count, int rows, int cols, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("x"), Header(IdxReader.ImageMagic, count, rows, cols));
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("x")));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ThresherInputException>(() => IdxReader.ReadImages(dir.File("nope")));
        Assert.Contains("file not found", e.Message, StringComparison.Ordinal);
    }

    internal static byte[] Header(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    static void WriteMaybeGzip(string path, byte[] bytes, bool gzip)
    {
        using var file = File.Create(path);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        output.Write(bytes);
    }
}
