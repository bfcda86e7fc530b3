using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// float32 ↔ bfloat16 for the gradient wire format (<c>--wire bf16</c>), bit for bit as <see cref="Bf16Naive"/>: round
/// to nearest even, NaN kept NaN, ±∞ kept. Encoding takes two float vectors per step and narrows them into one vector of
/// ushorts; decoding widens one ushort vector into two float vectors. Vector512, Vector256 or Vector128 (the internal
/// overloads force a width, so tests run every branch), then the twin's scalar code for the tail.
/// </summary>
public static class Bf16
{
    /// <summary>dst[i] = bf16(src[i]) (round to nearest even). (dst, src: length n)</summary>
    public static void Encode(Span<ushort> dst, ReadOnlySpan<float> src) => Encode(dst, [], src, [], VectorWidths.Best);

    /// <summary>
    /// Error feedback (see <see cref="Bf16Naive.EncodeWithFeedback"/>): v = g + e_in; dst = bf16(v); e_out = v − decode(dst),
    /// 0 where that is not finite. (dst, residualOut, gradient, residualIn: length n; residualOut may alias residualIn.)
    /// </summary>
    public static void EncodeWithFeedback(Span<ushort> dst, Span<float> residualOut, ReadOnlySpan<float> gradient, ReadOnlySpan<float> residualIn)
        => EncodeWithFeedback(dst, residualOut, gradient, residualIn, VectorWidths.Best);

    /// <summary>dst[i] = float(src[i]), exact. (dst, src: length n)</summary>
    public static void Decode(Span<float> dst, ReadOnlySpan<ushort> src) => Decode(dst, src, VectorWidths.Best);

    internal static void EncodeWithFeedback(Span<ushort> dst, Span<float> residualOut, ReadOnlySpan<float> gradient, ReadOnlySpan<float> residualIn, VectorWidth width)
    {
        const string Name = nameof(Bf16) + "." + nameof(EncodeWithFeedback);
        KernelThrow.CheckLength(Name, nameof(residualIn), residualIn.Length, gradient.Length);
        KernelThrow.CheckLength(Name, nameof(residualOut), residualOut.Length, gradient.Length);
        Encode(dst, residualOut, gradient, residualIn, width);
    }

    /// <summary>Both encoders: with feedback when <paramref name="residualIn"/> is not empty (the caller checked its length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void Encode(Span<ushort> dst, Span<float> residualOut, ReadOnlySpan<float> src, ReadOnlySpan<float> residualIn, VectorWidth width)
    {
        KernelThrow.CheckLength(nameof(Bf16) + "." + nameof(Encode), nameof(dst), dst.Length, src.Length);
        bool feedback = !residualIn.IsEmpty;
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float ein = ref MemoryMarshal.GetReference(residualIn);
        ref float eout = ref MemoryMarshal.GetReference(residualOut);
        ref ushort d = ref MemoryMarshal.GetReference(dst);
        nuint len = (nuint)src.Length, i = 0;
        if (width >= VectorWidth.Vector512)
            for (; i + 32 <= len; i += 32)
            {
                var lo = Round(Load512(ref s, ref ein, i, feedback));
                var hi = Round(Load512(ref s, ref ein, i + 16, feedback));
                if (feedback) { Residual(lo.V, lo.Q).StoreUnsafe(ref eout, i); Residual(hi.V, hi.Q).StoreUnsafe(ref eout, i + 16); }
                Vector512.Narrow(lo.Q >> 16, hi.Q >> 16).StoreUnsafe(ref d, i);
            }
        else if (width >= VectorWidth.Vector256)
            for (; i + 16 <= len; i += 16)
            {
                var lo = Round(Load256(ref s, ref ein, i, feedback));
                var hi = Round(Load256(ref s, ref ein, i + 8, feedback));
                if (feedback) { Residual(lo.V, lo.Q).StoreUnsafe(ref eout, i); Residual(hi.V, hi.Q).StoreUnsafe(ref eout, i + 8); }
                Vector256.Narrow(lo.Q >> 16, hi.Q >> 16).StoreUnsafe(ref d, i);
            }
        else if (width >= VectorWidth.Vector128)
            for (; i + 8 <= len; i += 8)
            {
                var lo = Round(Load128(ref s, ref ein, i, feedback));
                var hi = Round(Load128(ref s, ref ein, i + 4, feedback));
                if (feedback) { Residual(lo.V, lo.Q).StoreUnsafe(ref eout, i); Residual(hi.V, hi.Q).StoreUnsafe(ref eout, i + 4); }
                Vector128.Narrow(lo.Q >> 16, hi.Q >> 16).StoreUnsafe(ref d, i);
            }
        int k = (int)i;
        if (feedback) Bf16Naive.EncodeWithFeedback(dst[k..], residualOut[k..], src[k..], residualIn[k..]);
        else Bf16Naive.Encode(dst[k..], src[k..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void Decode(Span<float> dst, ReadOnlySpan<ushort> src, VectorWidth width)
    {
        KernelThrow.CheckLength(nameof(Bf16) + "." + nameof(Decode), nameof(dst), dst.Length, src.Length);
        ref ushort s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        nuint len = (nuint)src.Length, i = 0;
        if (width >= VectorWidth.Vector512)
            for (; i + 32 <= len; i += 32)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref s, i));
                (lo << 16).AsSingle().StoreUnsafe(ref d, i);
                (hi << 16).AsSingle().StoreUnsafe(ref d, i + 16);
            }
        else if (width >= VectorWidth.Vector256)
            for (; i + 16 <= len; i += 16)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, i));
                (lo << 16).AsSingle().StoreUnsafe(ref d, i);
                (hi << 16).AsSingle().StoreUnsafe(ref d, i + 8);
            }
        else if (width >= VectorWidth.Vector128)
            for (; i + 8 <= len; i += 8)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref s, i));
                (lo << 16).AsSingle().StoreUnsafe(ref d, i);
                (hi << 16).AsSingle().StoreUnsafe(ref d, i + 4);
            }
        int k = (int)i;
        Bf16Naive.Decode(dst[k..], src[k..]);
    }

    // v (= g, or g + e_in) and its rounding q as float32 bits with the low half zero. Ties to even: + 0x7FFF + the kept
    // lowest bit; NaN: the quiet bit set first, so no NaN rounds to ∞.
    readonly record struct Rounded512(Vector512<float> V, Vector512<uint> Q);
    readonly record struct Rounded256(Vector256<float> V, Vector256<uint> Q);
    readonly record struct Rounded128(Vector128<float> V, Vector128<uint> Q);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Load512(ref float s, ref float ein, nuint i, bool feedback)
        => feedback ? Vector512.LoadUnsafe(ref s, i) + Vector512.LoadUnsafe(ref ein, i) : Vector512.LoadUnsafe(ref s, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Load256(ref float s, ref float ein, nuint i, bool feedback)
        => feedback ? Vector256.LoadUnsafe(ref s, i) + Vector256.LoadUnsafe(ref ein, i) : Vector256.LoadUnsafe(ref s, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Load128(ref float s, ref float ein, nuint i, bool feedback)
        => feedback ? Vector128.LoadUnsafe(ref s, i) + Vector128.LoadUnsafe(ref ein, i) : Vector128.LoadUnsafe(ref s, i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Rounded512 Round(Vector512<float> v)
    {
        var bits = v.AsUInt32();
        var high = Vector512.Create(0xFFFF_0000u);
        var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) & high;
        var quiet = (bits | Vector512.Create(0x0040_0000u)) & high;
        return new(v, Vector512.ConditionalSelect(Vector512.Equals(v, v).AsUInt32(), rounded, quiet));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Rounded256 Round(Vector256<float> v)
    {
        var bits = v.AsUInt32();
        var high = Vector256.Create(0xFFFF_0000u);
        var rounded = (bits + Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One)) & high;
        var quiet = (bits | Vector256.Create(0x0040_0000u)) & high;
        return new(v, Vector256.ConditionalSelect(Vector256.Equals(v, v).AsUInt32(), rounded, quiet));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Rounded128 Round(Vector128<float> v)
    {
        var bits = v.AsUInt32();
        var high = Vector128.Create(0xFFFF_0000u);
        var rounded = (bits + Vector128.Create(0x7FFFu) + ((bits >> 16) & Vector128<uint>.One)) & high;
        var quiet = (bits | Vector128.Create(0x0040_0000u)) & high;
        return new(v, Vector128.ConditionalSelect(Vector128.Equals(v, v).AsUInt32(), rounded, quiet));
    }

    // e_out = v − q where q is finite (exponent bits not all ones), else 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Residual(Vector512<float> v, Vector512<uint> q)
    {
        var exponent = Vector512.Create(0x7F80_0000u);
        var finite = ~Vector512.Equals(q & exponent, exponent);
        return Vector512.ConditionalSelect(finite.AsSingle(), v - q.AsSingle(), Vector512<float>.Zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Residual(Vector256<float> v, Vector256<uint> q)
    {
        var exponent = Vector256.Create(0x7F80_0000u);
        var finite = ~Vector256.Equals(q & exponent, exponent);
        return Vector256.ConditionalSelect(finite.AsSingle(), v - q.AsSingle(), Vector256<float>.Zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Residual(Vector128<float> v, Vector128<uint> q)
    {
        var exponent = Vector128.Create(0x7F80_0000u);
        var finite = ~Vector128.Equals(q & exponent, exponent);
        return Vector128.ConditionalSelect(finite.AsSingle(), v - q.AsSingle(), Vector128<float>.Zero);
    }
}
