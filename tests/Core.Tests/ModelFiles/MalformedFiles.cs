using System.Buffers.Binary;
using System.Text;

namespace Thresher.Core.Tests.ModelFiles;

/// <summary>Writes safetensors-like files byte by byte, so tests can break any part of them.</summary>
internal static class MalformedFiles
{
    /// <summary>u64 LE header length (the real one unless <paramref name="declaredHeaderLength"/>), the header, the data.</summary>
    public static void WriteRaw(string path, string header, byte[] data, ulong? declaredHeaderLength = null)
    {
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + headerBytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>One F32 entry as JSON.</summary>
    public static string Entry(string name, string shape, long begin, long end, string dtype = "F32") =>
        $$"""
        "{{name}}":{"dtype":"{{dtype}}","shape":{{shape}},"data_offsets":[{{begin}},{{end}}]}
        """;
}
