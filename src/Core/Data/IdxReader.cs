using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Thresher.Core.Data;

/// <summary>IDX images as read: pixels (count, rows, cols) row-major uint8.</summary>
public sealed record IdxImages(ReadOnlyMemory<byte> Pixels, int Count, int Rows, int Cols, DatasetFile File);

/// <summary>IDX labels as read: (count) uint8.</summary>
public sealed record IdxLabels(ReadOnlyMemory<byte> Labels, int Count, DatasetFile File);

/// <summary>
/// Reads MNIST-format IDX files (raw, or gzip detected by the 1F 8B magic, whatever the name).
/// Layout, all integers big-endian: images = magic 2051 (0x00000803: uint8, 3 dimensions), count, rows,
/// cols, then count*rows*cols bytes; labels = magic 2049 (0x00000801), count, then count bytes.
/// The file must hold exactly that many bytes. Every problem is a ThresherInputException naming the file.
/// </summary>
public static class IdxReader
{
    public const int ImageMagic = 2051;
    public const int LabelMagic = 2049;
    const string Refetch = "download it again (for mnist: 'thresher data fetch mnist --force')";

    /// <summary>Reads an image file. Pixels alias the file buffer (no copy for raw files).</summary>
    public static IdxImages ReadImages(string path)
    {
        var (content, file) = ReadContent(path);
        var h = content.Span;
        RequireHeader(path, h.Length, 16, "image");
        RequireMagic(path, BinaryPrimitives.ReadInt32BigEndian(h), ImageMagic);
        int count = ReadDimension(path, h, 4, "image count", allowZero: false);
        int rows = ReadDimension(path, h, 8, "row count", allowZero: false);
        int cols = ReadDimension(path, h, 12, "column count", allowZero: false);
        long payload = (long)count * rows * cols;
        if (payload > Array.MaxLength - 16)
            throw new ThresherInputException($"{path}: header declares {count} images of {rows}x{cols} = {payload} bytes, more than one array can hold — the header is damaged; {Refetch}");
        RequireLength(path, content.Length, 16 + payload, $"{count} images of {rows}x{cols}", file.Compressed);
        return new IdxImages(content.Slice(16, (int)payload), count, rows, cols, file);
    }

    /// <summary>Reads a label file.</summary>
    public static IdxLabels ReadLabels(string path)
    {
        var (content, file) = ReadContent(path);
        var h = content.Span;
        RequireHeader(path, h.Length, 8, "label");
        RequireMagic(path, BinaryPrimitives.ReadInt32BigEndian(h), LabelMagic);
        int count = ReadDimension(path, h, 4, "label count", allowZero: false);
        RequireLength(path, content.Length, 8L + count, $"{count} labels", file.Compressed);
        return new IdxLabels(content.Slice(8, count), count, file);
    }

    static (ReadOnlyMemory<byte> Content, DatasetFile File) ReadContent(string path)
    {
        byte[] bytes = ReadAllBytes(path);
        if (bytes.Length == 0)
            throw new ThresherInputException($"{path}: the file is empty (0 bytes) — an interrupted download or copy leaves this; {Refetch}");
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B)
            return (bytes, new DatasetFile(path, bytes.Length, false, sha, sha));
        var content = Gunzip(path, bytes);
        string contentSha = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        return (content, new DatasetFile(path, bytes.Length, true, sha, contentSha));
    }

    static byte[] ReadAllBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ThresherInputException($"{path}: file not found — check the path, or place the dataset's four IDX files there", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ThresherInputException($"{path}: cannot read the file (permission denied) — check its permissions", e);
        }
        catch (IOException e)
        {
            throw new ThresherInputException($"{path}: cannot read the file ({e.Message}) — check that it is a readable regular file", e);
        }
    }

    static ReadOnlyMemory<byte> Gunzip(string path, byte[] bytes)
    {
        // ISIZE (the last 4 bytes, little-endian) is the uncompressed size mod 2^32: a capacity hint only.
        uint isize = bytes.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(^4)) : 0;
        var output = new MemoryStream((int)Math.Min(isize, 1u << 30));
        try
        {
            using var gz = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
            gz.CopyTo(output);
        }
        catch (InvalidDataException e)
        {
            throw new ThresherInputException($"{path}: the gzip data is corrupt ({e.Message}) — {Refetch}", e);
        }
        if (output.Length == 0)
            throw new ThresherInputException($"{path}: the gzip stream is truncated or holds no data — {Refetch}");
        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }

    static void RequireHeader(string path, int length, int headerBytes, string kind)
    {
        if (length < headerBytes)
            throw new ThresherInputException($"{path}: {length} bytes is shorter than the {headerBytes}-byte IDX {kind} header — the file is truncated; {Refetch}");
    }

    static void RequireMagic(string path, int magic, int expected)
    {
        if (magic == expected) return;
        string kind = expected == ImageMagic ? "an image file (uint8, 3 dimensions)" : "a label file (uint8, 1 dimension)";
        string hint = magic switch
        {
            LabelMagic => "it is a label file: are the image and label file names swapped?",
            ImageMagic => "it is an image file: are the image and label file names swapped?",
            _ when (magic >> 16) == 0x1F8B => "it is gzip inside gzip: decompress it once",
            _ when (magic & unchecked((int)0xFFFF0000)) != 0 => $"this is not an IDX file; {Refetch}",
            _ => $"an IDX file of another type or rank, which Thresher does not read; {Refetch}",
        };
        throw new ThresherInputException($"{path}: wrong magic number 0x{magic:X8} ({magic}), expected 0x{expected:X8} ({expected}) for {kind} — {hint}");
    }

    static int ReadDimension(string path, ReadOnlySpan<byte> header, int offset, string what, bool allowZero)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(header[offset..]);
        if (value < 0 || (value == 0 && !allowZero))
            throw new ThresherInputException($"{path}: header {what} is {value}, expected a positive number — the header is damaged; {Refetch}");
        return value;
    }

    static void RequireLength(string path, long actual, long expected, string what, bool compressed)
    {
        string found = compressed ? $"found {actual} after gunzip" : $"found {actual}";
        if (actual < expected)
            throw new ThresherInputException($"{path}: expected {expected} bytes for {what}, {found} — the file is truncated; {Refetch}");
        if (actual > expected)
            throw new ThresherInputException($"{path}: expected {expected} bytes for {what}, {found} ({actual - expected} extra) — the header's counts do not match the data; {Refetch}");
    }
}
