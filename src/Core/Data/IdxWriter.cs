using System.Buffers.Binary;
using System.IO.Compression;

namespace Thresher.Core.Data;

/// <summary>Writes MNIST-format IDX files (see <see cref="IdxReader"/> for the layout), raw or gzip.</summary>
public static class IdxWriter
{
    /// <summary>Writes images. pixels: (count, rows, cols) row-major.</summary>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int cols, bool gzip = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (pixels.Length != (long)count * rows * cols)
            throw new ArgumentException($"{pixels.Length} pixels do not make {count} images of {rows}x{cols}", nameof(pixels));
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxReader.ImageMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], rows);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], cols);
        Write(path, header, pixels, gzip);
    }

    /// <summary>Writes labels. labels: (count).</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels, bool gzip = false)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxReader.LabelMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Length);
        Write(path, header, labels, gzip);
    }

    static void Write(string path, ReadOnlySpan<byte> header, ReadOnlySpan<byte> data, bool gzip)
    {
        using var file = File.Create(path);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        output.Write(header);
        output.Write(data);
    }
}
