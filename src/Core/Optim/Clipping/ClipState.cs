using System.Runtime.InteropServices;

namespace Thresher.Core.Optim.Clipping;

/// <summary>A clip policy's checkpointed state: doubles, little-endian, in an order each policy documents.</summary>
static class ClipState
{
    public static byte[] Write(ReadOnlySpan<double> values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("clip policy state is stored little-endian");
        return MemoryMarshal.AsBytes(values).ToArray();
    }

    public static double[] Read(byte[] state, int minimum, ClipPolicyKind kind)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length % sizeof(double) != 0 || state.Length < minimum * sizeof(double))
            throw new InvalidOperationException($"clip policy {kind.Name()}: its checkpointed state has {state.Length} bytes; expected at least {minimum} doubles");
        return MemoryMarshal.Cast<byte, double>(state).ToArray();
    }
}
