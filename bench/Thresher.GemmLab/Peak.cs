using System.Runtime.Intrinsics;

namespace Thresher.GemmLab;

/// <summary>The FP32 FMA peak of one core: 16 independent Vector512 FMA chains, best of 30 runs in thread CPU time.</summary>
internal static class Peak
{
    private const long Iterations = 200_000;

    public static double Measure()
    {
        double best = 0;
        for (int r = 0; r < 30; r++)
        {
            double start = ThreadClock.Now();
            Chains(Iterations);
            best = Math.Max(best, Iterations * 16.0 * 16 * 2 / (ThreadClock.Now() - start) / 1e9);
        }
        return best;
    }

    private static Vector512<float> Chains(long iterations)
    {
        var m = Vector512.Create(1.0000001f); var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m, c8 = m, c9 = m, c10 = m, c11 = m, c12 = m, c13 = m, c14 = m, c15 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a); c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a); c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a); c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
            c12 = Vector512.FusedMultiplyAdd(c12, m, a); c13 = Vector512.FusedMultiplyAdd(c13, m, a); c14 = Vector512.FusedMultiplyAdd(c14, m, a); c15 = Vector512.FusedMultiplyAdd(c15, m, a);
        }
        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15;
    }
}
