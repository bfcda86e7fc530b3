using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Thresher.Core.Ops;

public static partial class ClipOps
{
    /// <summary>
    /// One block of <see cref="SumOfSquaresOfSum"/>: writes sum = a + b (float, element by element) and returns Σ sum²,
    /// accumulated in double exactly as <see cref="SumOfSquaresOfBlock"/> would on the written sum: same vectors from the
    /// start of the span, same four accumulators in the same order, same scalar tail — so the result is bit-identical to
    /// <c>Add(a, b, sum); SumOfSquaresOfBlock(sum)</c>, in one pass instead of two. (a, b, sum: same length n, checked by the caller)
    /// </summary>
    /// <remarks>The parameter server's aggregation of two workers' gradients fused with its norm pass.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: fully optimised at its first call, not after tiering (README, Performance)
    internal static double SumOfSquaresOfSumOfBlock(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> sum)
    {
        int i = 0;
        double total = 0;
        int count = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && a.Length >= count)
        {
            int vectors = a.Length / count;
            ref float pa = ref MemoryMarshal.GetReference(a);
            ref float pb = ref MemoryMarshal.GetReference(b);
            ref float ps = ref MemoryMarshal.GetReference(sum);
            Vector<double> acc0 = Vector<double>.Zero, acc1 = Vector<double>.Zero;
            Vector<double> acc2 = Vector<double>.Zero, acc3 = Vector<double>.Zero;
            int v = 0;
            for (; v + 1 < vectors; v += 2)
            {
                var s0 = AddInto(ref pa, ref pb, ref ps, v * count);
                var s1 = AddInto(ref pa, ref pb, ref ps, (v + 1) * count);
                Vector.Widen(s0, out Vector<double> lo0, out Vector<double> hi0);
                Vector.Widen(s1, out Vector<double> lo1, out Vector<double> hi1);
                acc0 = AddSquare(acc0, lo0);
                acc1 = AddSquare(acc1, hi0);
                acc2 = AddSquare(acc2, lo1);
                acc3 = AddSquare(acc3, hi1);
            }
            if (v < vectors)
            {
                Vector.Widen(AddInto(ref pa, ref pb, ref ps, v * count), out Vector<double> lo0, out Vector<double> hi0);
                acc0 = AddSquare(acc0, lo0);
                acc1 = AddSquare(acc1, hi0);
            }
            total = Vector.Sum((acc0 + acc1) + (acc2 + acc3));
            i = vectors * count;
        }
        for (; i < a.Length; i++)
        {
            sum[i] = a[i] + b[i];
            double si = sum[i];
            total += si * si;
        }
        return total;
    }

    /// <summary>sum[at..at+Count) = a + b; returns that vector. The caller has checked at + Count ≤ the length.</summary>
    static Vector<float> AddInto(ref float a, ref float b, ref float sum, int at)
    {
        var s = Vector.LoadUnsafe(ref a, (nuint)at) + Vector.LoadUnsafe(ref b, (nuint)at);
        s.StoreUnsafe(ref sum, (nuint)at);
        return s;
    }
}
