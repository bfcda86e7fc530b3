using System.Runtime.InteropServices;
using Thresher.Core.Kernels;

namespace Thresher.Core.Wire;

/// <summary>
/// How a worker's gradient travels to the parameter server (<c>--wire</c>). θ travels as float32 in both: the parameter
/// server keeps the only master copy, and θ's rounding would change the forward pass itself, not just the update.
/// </summary>
public enum WireFormat
{
    /// <summary>float32, 4 bytes per parameter: the trajectory is bit-identical to the single-process trainer's rules.</summary>
    Fp32,

    /// <summary>bfloat16 with error feedback, 2 bytes per parameter: half the bytes, a different trajectory.</summary>
    Bf16,
}

/// <summary>Names, sizes and the parameter server's decode of the wire formats.</summary>
public static class WireFormats
{
    /// <summary>fp32 or bf16 (any case); null or empty (a config stored before the option existed) is fp32.</summary>
    public static WireFormat Parse(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "fp32" => WireFormat.Fp32,
        "bf16" => WireFormat.Bf16,
        _ => throw new ThresherInputException($"wire '{name}': must be fp32 or bf16"),
    };

    public static string Name(this WireFormat format) => format == WireFormat.Bf16 ? "bf16" : "fp32";

    /// <summary>Bytes one parameter takes on the wire: 4 (fp32) or 2 (bf16).</summary>
    public static int BytesPerParameter(this WireFormat format) => format == WireFormat.Bf16 ? sizeof(ushort) : sizeof(float);

    /// <summary>
    /// A gradient as it came off the wire, as float32 bytes (layout order, P floats): <paramref name="wire"/> itself when
    /// it holds 4P bytes (fp32, or a replay, which is always fp32), else its bf16 values decoded into <paramref name="decoded"/>
    /// (4P bytes, exact). The format is read from the length, so a reply cannot be decoded as the other format.
    /// </summary>
    public static byte[] ToFloat32(byte[] wire, byte[] decoded)
    {
        ArgumentNullException.ThrowIfNull(wire);
        ArgumentNullException.ThrowIfNull(decoded);
        if (wire.Length == decoded.Length) return wire;
        if ((long)wire.Length * 2 != decoded.Length)
            throw new ArgumentException($"a gradient of {wire.Length} bytes is neither fp32 nor bf16 for {decoded.Length / sizeof(float)} parameters", nameof(wire));
        Bf16.Decode(MemoryMarshal.Cast<byte, float>(decoded.AsSpan()), MemoryMarshal.Cast<byte, ushort>(wire.AsSpan()));
        return decoded;
    }
}
