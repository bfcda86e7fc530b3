using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// Bias and ReLU kernels, plain and fused, row-major [m,n]. Vector512 where accelerated, else Vector256,
/// scalar tails (the internal overloads take the <see cref="VectorWidth"/>, so tests run each branch). ReLU keeps the naive twin's semantics exactly: max(x, 0) with NaN passing through and
/// −0 staying −0 (x &lt; 0 ? 0 : x); the bias gradient sums rows in order, as the twin does.
/// </summary>
public static class Activation
{
    /// <summary>y[m,n] += b[n].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    public static void BiasAdd(Span<float> y, ReadOnlySpan<float> b, int m, int n)
    {
        CheckRows(nameof(Activation) + "." + nameof(BiasAdd), y.Length, nameof(y), b.Length, nameof(b), m, n);
        for (int i = 0; i < m; i++)
        {
            Span<float> row = y.Slice(i * n, n);
            TensorPrimitives.Add(row, b[..n], row);
        }
    }

    /// <summary>dB[n] (+)= Σ_i dY[i,n].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    public static void BiasGradient(Span<float> dB, ReadOnlySpan<float> dY, int m, int n, bool accumulate = false)
    {
        CheckRows(nameof(Activation) + "." + nameof(BiasGradient), dY.Length, nameof(dY), dB.Length, nameof(dB), m, n);
        Span<float> sum = dB[..n];
        if (!accumulate) sum.Clear();
        for (int i = 0; i < m; i++) TensorPrimitives.Add(sum, dY.Slice(i * n, n), sum);
    }

    /// <summary>y = max(x, 0) element-wise (y may alias x). NaN stays NaN.</summary>
    public static void ReluForward(Span<float> y, ReadOnlySpan<float> x) => ReluForward(y, x, VectorWidths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void ReluForward(Span<float> y, ReadOnlySpan<float> x, VectorWidth width)
    {
        KernelThrow.CheckLength(nameof(Activation) + "." + nameof(ReluForward), nameof(y), y.Length, x.Length);
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rx = ref MemoryMarshal.GetReference(x);
        nuint len = (nuint)x.Length, i = 0;
        if (width >= VectorWidth.Vector512)
            for (; i + 16 <= len; i += 16)
                Relu(Vector512.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
        else if (width >= VectorWidth.Vector256)
            for (; i + 8 <= len; i += 8)
                Relu(Vector256.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
        for (; i < len; i++)
        {
            float v = Unsafe.Add(ref rx, i);
            Unsafe.Add(ref ry, i) = v < 0f ? 0f : v;
        }
    }

    /// <summary>dX = y &gt; 0 ? dY : 0, where y is the ReLU output (dX may alias dY).</summary>
    public static void ReluBackward(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> y)
        => ReluBackward(dX, dY, y, VectorWidths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void ReluBackward(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> y, VectorWidth width)
    {
        const string Name = nameof(Activation) + "." + nameof(ReluBackward);
        KernelThrow.CheckLength(Name, nameof(dX), dX.Length, dY.Length);
        KernelThrow.CheckLength(Name, nameof(y), y.Length, dY.Length);
        ReluMask(ref MemoryMarshal.GetReference(dX), ref MemoryMarshal.GetReference(dY), ref MemoryMarshal.GetReference(y), dY.Length, width);
    }

    /// <summary>Fused: y[m,n] = max(y[m,n] + b[n], 0).</summary>
    public static void BiasReluForward(Span<float> y, ReadOnlySpan<float> b, int m, int n)
        => BiasReluForward(y, b, m, n, VectorWidths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void BiasReluForward(Span<float> y, ReadOnlySpan<float> b, int m, int n, VectorWidth width)
    {
        CheckRows(nameof(Activation) + "." + nameof(BiasReluForward), y.Length, nameof(y), b.Length, nameof(b), m, n);
        ref float rb = ref MemoryMarshal.GetReference(b);
        for (int i = 0; i < m; i++)
        {
            ref float ry = ref MemoryMarshal.GetReference(y.Slice(i * n, n));
            nuint len = (nuint)n, j = 0;
            if (width >= VectorWidth.Vector512)
                for (; j + 16 <= len; j += 16)
                    Relu(Vector512.LoadUnsafe(ref ry, j) + Vector512.LoadUnsafe(ref rb, j)).StoreUnsafe(ref ry, j);
            else if (width >= VectorWidth.Vector256)
                for (; j + 8 <= len; j += 8)
                    Relu(Vector256.LoadUnsafe(ref ry, j) + Vector256.LoadUnsafe(ref rb, j)).StoreUnsafe(ref ry, j);
            for (; j < len; j++)
            {
                float v = Unsafe.Add(ref ry, j) + Unsafe.Add(ref rb, j);
                Unsafe.Add(ref ry, j) = v < 0f ? 0f : v;
            }
        }
    }

    /// <summary>Fused: dY[m,n] masked in place by y &gt; 0, then dB[n] (+)= Σ_i dY[i,n], in one pass over dY.</summary>
    public static void ReluBiasBackward(Span<float> dB, Span<float> dY, ReadOnlySpan<float> y, int m, int n, bool accumulate = false)
        => ReluBiasBackward(dB, dY, y, m, n, accumulate, VectorWidths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static void ReluBiasBackward(Span<float> dB, Span<float> dY, ReadOnlySpan<float> y, int m, int n, bool accumulate, VectorWidth width)
    {
        const string Name = nameof(Activation) + "." + nameof(ReluBiasBackward);
        CheckRows(Name, dY.Length, nameof(dY), dB.Length, nameof(dB), m, n);
        KernelThrow.CheckLength(Name, nameof(y), y.Length, m, n, "y[m,n]");
        if (!accumulate) dB[..n].Clear();
        ref float rb = ref MemoryMarshal.GetReference(dB);
        for (int i = 0; i < m; i++)
        {
            ref float rd = ref MemoryMarshal.GetReference(dY.Slice(i * n, n));
            ref float ry = ref MemoryMarshal.GetReference(y.Slice(i * n, n));
            nuint len = (nuint)n, j = 0;
            if (width >= VectorWidth.Vector512)
                for (; j + 16 <= len; j += 16)
                {
                    var g = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref ry, j), Vector512<float>.Zero),
                                                        Vector512.LoadUnsafe(ref rd, j), Vector512<float>.Zero);
                    g.StoreUnsafe(ref rd, j);
                    (Vector512.LoadUnsafe(ref rb, j) + g).StoreUnsafe(ref rb, j);
                }
            else if (width >= VectorWidth.Vector256)
                for (; j + 8 <= len; j += 8)
                {
                    var g = Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref ry, j), Vector256<float>.Zero),
                                                        Vector256.LoadUnsafe(ref rd, j), Vector256<float>.Zero);
                    g.StoreUnsafe(ref rd, j);
                    (Vector256.LoadUnsafe(ref rb, j) + g).StoreUnsafe(ref rb, j);
                }
            for (; j < len; j++)
            {
                float g = Unsafe.Add(ref ry, j) > 0f ? Unsafe.Add(ref rd, j) : 0f;
                Unsafe.Add(ref rd, j) = g;
                Unsafe.Add(ref rb, j) += g;
            }
        }
    }

    /// <summary>dX[len] = y &gt; 0 ? dY : 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    private static void ReluMask(ref float rx, ref float rd, ref float ry, int length, VectorWidth width)
    {
        nuint len = (nuint)length, i = 0;
        if (width >= VectorWidth.Vector512)
            for (; i + 16 <= len; i += 16)
                Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref ry, i), Vector512<float>.Zero),
                                            Vector512.LoadUnsafe(ref rd, i), Vector512<float>.Zero).StoreUnsafe(ref rx, i);
        else if (width >= VectorWidth.Vector256)
            for (; i + 8 <= len; i += 8)
                Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref ry, i), Vector256<float>.Zero),
                                            Vector256.LoadUnsafe(ref rd, i), Vector256<float>.Zero).StoreUnsafe(ref rx, i);
        for (; i < len; i++) Unsafe.Add(ref rx, i) = Unsafe.Add(ref ry, i) > 0f ? Unsafe.Add(ref rd, i) : 0f;
    }

    /// <summary>x &lt; 0 ? 0 : x per lane (NaN and −0 pass through).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Relu(Vector512<float> x) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), Vector512<float>.Zero, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Relu(Vector256<float> x) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.Zero, x);

    /// <summary>Shape checks for the [m,n] + [n] kernels.</summary>
    private static void CheckRows(string kernel, int matrixLength, string matrixName, int vectorLength, string vectorName, int m, int n)
    {
        KernelThrow.CheckShape(kernel, m, n);
        KernelThrow.CheckLength(kernel, matrixName, matrixLength, m, n, "[m,n]");
        KernelThrow.CheckLength(kernel, vectorName, vectorLength, n);
    }
}
