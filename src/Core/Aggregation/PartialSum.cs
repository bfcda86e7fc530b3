using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Thresher.Core.Aggregation;

/// <summary>
/// The float sum of gradient parts (float32 bytes, layout order, one length) in the order given, left to right:
/// ((p₀ + p₁) + p₂) + …, element by element. Float addition of two values is exactly rounded, so this sum has the
/// same bits as the parameter server's own worker-order sum of the same parts (PartsUpdate), however either is
/// vectorised. An aggregator sums its silo's workers with it; the parameter server then adds the silos' sums.
/// </summary>
public static class PartialSum
{
    /// <summary>
    /// Σ <paramref name="parts"/> into <paramref name="into"/>, returned; a single part is returned itself (no copy, and
    /// <paramref name="into"/> is untouched). <paramref name="into"/> must not be one of the parts.
    /// </summary>
    public static byte[] Add(IReadOnlyList<byte[]> parts, byte[] into)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(into);
        if (parts.Count == 0) throw new ArgumentException("no gradient parts", nameof(parts));
        foreach (var part in parts)
        {
            if (part.Length != into.Length)
                throw new ArgumentException($"a gradient part has {part.Length / sizeof(float)} floats; the sum holds {into.Length / sizeof(float)}", nameof(parts));
            if (ReferenceEquals(part, into)) throw new ArgumentException("the sum buffer is one of the parts", nameof(into));
        }
        if (parts.Count == 1) return parts[0];
        TensorPrimitives.Add(Floats(parts[0]), Floats(parts[1]), Floats(into));
        for (int k = 2; k < parts.Count; k++) TensorPrimitives.Add(Floats(into), Floats(parts[k]), Floats(into));
        return into;
    }

    static Span<float> Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
}
