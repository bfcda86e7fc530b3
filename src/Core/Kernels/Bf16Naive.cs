namespace Thresher.Core.Kernels;

/// <summary>
/// Reference twin of <see cref="Bf16"/> (and its scalar tail), one element at a time on the float's bits. bfloat16 is
/// the top half of a float32 (1 sign, 8 exponent, 7 mantissa bits), so decoding is a shift and encoding is rounding
/// away the low 16 bits: round to nearest, ties to even, by adding 0x7FFF plus the kept part's lowest bit.
/// </summary>
public static class Bf16Naive
{
    /// <summary>
    /// float32 → bf16 bits, round to nearest even. NaN stays NaN: its quiet bit is set before the low bits go, so a NaN
    /// whose payload lives only in the low 16 bits does not turn into ∞ (sign kept). ±∞ stays ±∞; a finite value above
    /// bf16's largest finite (≈ 3.39e38) rounds to ±∞, as IEEE rounding does.
    /// </summary>
    public static ushort Encode(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        if (float.IsNaN(x)) return (ushort)((bits | 0x0040_0000u) >> 16);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>bf16 bits → float32, exactly (the low 16 bits zero).</summary>
    public static float Decode(ushort h) => BitConverter.UInt32BitsToSingle((uint)h << 16);

    /// <summary>dst[i] = bf16(src[i]). (dst, src: length n)</summary>
    public static void Encode(Span<ushort> dst, ReadOnlySpan<float> src)
    {
        for (int i = 0; i < src.Length; i++) dst[i] = Encode(src[i]);
    }

    /// <summary>
    /// Error feedback: v = g + e_in (float); dst = bf16(v); e_out = v − decode(dst), exact (v and its rounding are
    /// within a factor 2, Sterbenz). Where v or its rounding is not finite, e_out = 0: a NaN or ∞ goes on the wire as
    /// itself (the parameter server's non-finite policy must see it) and is not carried into the next step.
    /// (dst, residualOut, gradient, residualIn: length n; residualOut may alias residualIn.)
    /// </summary>
    public static void EncodeWithFeedback(Span<ushort> dst, Span<float> residualOut, ReadOnlySpan<float> gradient, ReadOnlySpan<float> residualIn)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            float v = gradient[i] + residualIn[i];
            ushort q = Encode(v);
            float decoded = Decode(q);
            dst[i] = q;
            residualOut[i] = float.IsFinite(decoded) ? v - decoded : 0f;
        }
    }

    /// <summary>dst[i] = float(src[i]). (dst, src: length n)</summary>
    public static void Decode(Span<float> dst, ReadOnlySpan<ushort> src)
    {
        for (int i = 0; i < src.Length; i++) dst[i] = Decode(src[i]);
    }
}
