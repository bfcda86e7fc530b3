using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Thresher.Core.Kernels;

namespace Thresher.Core.Data;

/// <summary>
/// y = x / inputScale for uint8 pixels x, the per-batch conversion of stored images to model inputs.
/// The vector path divides (not multiplies by the reciprocal), so it equals the scalar twin bit for bit.
/// </summary>
public static class PixelScaling
{
    /// <summary>y[i] = x[i] / inputScale, i &lt; x.Length. y: (n), x: (n). SIMD (512/256/128-bit).</summary>
    public static void Scale(Span<float> y, ReadOnlySpan<byte> x, float inputScale) => Scale(y, x, inputScale, VectorWidths.Best);

    /// <summary><see cref="Scale(Span{float}, ReadOnlySpan{byte}, float)"/> with its widest vector forced (tests run each branch).</summary>
    internal static void Scale(Span<float> y, ReadOnlySpan<byte> x, float inputScale, VectorWidth width)
    {
        if (y.Length < x.Length) ThrowShort(y.Length, x.Length);
        int n = x.Length;
        ref byte xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (width >= VectorWidth.Vector512 && n >= 64)
        {
            var d = Vector512.Create(inputScale);
            int i = 0;
            for (; i <= n - 64; i += 64) Scale64(ref yr, ref xr, (nuint)i, d);
            if (i < n) Scale64(ref yr, ref xr, (nuint)(n - 64), d); // final overlapping vector
            return;
        }
        if (width >= VectorWidth.Vector256 && n >= 32)
        {
            var d = Vector256.Create(inputScale);
            int i = 0;
            for (; i <= n - 32; i += 32) Scale32(ref yr, ref xr, (nuint)i, d);
            if (i < n) Scale32(ref yr, ref xr, (nuint)(n - 32), d);
            return;
        }
        if (width >= VectorWidth.Vector128 && n >= 16)
        {
            var d = Vector128.Create(inputScale);
            int i = 0;
            for (; i <= n - 16; i += 16) Scale16(ref yr, ref xr, (nuint)i, d);
            if (i < n) Scale16(ref yr, ref xr, (nuint)(n - 16), d);
            return;
        }
        for (int i = 0; i < n; i++) y[i] = x[i] / inputScale;
    }

    /// <summary>The scalar reference twin of <see cref="Scale"/>.</summary>
    public static void ScaleNaive(Span<float> y, ReadOnlySpan<byte> x, float inputScale)
    {
        if (y.Length < x.Length) ThrowShort(y.Length, x.Length);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] / inputScale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Scale64(ref float y, ref byte x, nuint i, Vector512<float> d)
    {
        var (s0, s1) = Vector512.Widen(Vector512.LoadUnsafe(ref x, i));
        var (w0, w1) = Vector512.Widen(s0);
        var (w2, w3) = Vector512.Widen(s1);
        (Vector512.ConvertToSingle(w0.AsInt32()) / d).StoreUnsafe(ref y, i);
        (Vector512.ConvertToSingle(w1.AsInt32()) / d).StoreUnsafe(ref y, i + 16);
        (Vector512.ConvertToSingle(w2.AsInt32()) / d).StoreUnsafe(ref y, i + 32);
        (Vector512.ConvertToSingle(w3.AsInt32()) / d).StoreUnsafe(ref y, i + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Scale32(ref float y, ref byte x, nuint i, Vector256<float> d)
    {
        var (s0, s1) = Vector256.Widen(Vector256.LoadUnsafe(ref x, i));
        var (w0, w1) = Vector256.Widen(s0);
        var (w2, w3) = Vector256.Widen(s1);
        (Vector256.ConvertToSingle(w0.AsInt32()) / d).StoreUnsafe(ref y, i);
        (Vector256.ConvertToSingle(w1.AsInt32()) / d).StoreUnsafe(ref y, i + 8);
        (Vector256.ConvertToSingle(w2.AsInt32()) / d).StoreUnsafe(ref y, i + 16);
        (Vector256.ConvertToSingle(w3.AsInt32()) / d).StoreUnsafe(ref y, i + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Scale16(ref float y, ref byte x, nuint i, Vector128<float> d)
    {
        var (s0, s1) = Vector128.Widen(Vector128.LoadUnsafe(ref x, i));
        var (w0, w1) = Vector128.Widen(s0);
        var (w2, w3) = Vector128.Widen(s1);
        (Vector128.ConvertToSingle(w0.AsInt32()) / d).StoreUnsafe(ref y, i);
        (Vector128.ConvertToSingle(w1.AsInt32()) / d).StoreUnsafe(ref y, i + 4);
        (Vector128.ConvertToSingle(w2.AsInt32()) / d).StoreUnsafe(ref y, i + 8);
        (Vector128.ConvertToSingle(w3.AsInt32()) / d).StoreUnsafe(ref y, i + 12);
    }

    static void ThrowShort(int yLength, int xLength) =>
        throw new ArgumentException($"output holds {yLength} floats but the input has {xLength} pixels — size the output to at least the input length", "y");
}
