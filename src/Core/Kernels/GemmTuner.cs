using System.Collections.Concurrent;
using System.Diagnostics;

namespace Thresher.Core.Kernels;

/// <summary>
/// Chooses, once per process for each GEMM call shape, the <see cref="GemmVariant"/> that runs fastest on the CPU
/// at hand: the second call of a shape times every valid variant (one warm-up and three timed rounds, taken in
/// turn, best of each; one round for products over <see cref="LargeMacs"/>) into a scratch C, keeps the fastest, then computes the real product. No tuning for one CPU
/// is built in: on Intel Ice Lake-SP, B read in place with a 2 KB row stride aliases in L1 and packing wins by
/// ~40 %; on AMD Zen 4 in place was measured ~5 % faster. Since all variants give bit-identical results, the
/// choice can never change a trajectory, only its speed. Products below <see cref="MinTunedMacs"/> multiply-adds
/// (where a variant's difference is lost in call overhead) use <see cref="GemmVariant.PackBoth"/> untimed.
/// Set THRESHER_GEMM_TUNE=0 to skip timing and always pack both operands.
/// </summary>
internal static unsafe class GemmTuner
{
    /// <summary>~10 µs of work on one core: smaller calls are not worth timing.</summary>
    internal const long MinTunedMacs = 1 << 18;

    /// <summary>~10 ms of work on one core: past it one timed round (no warm-up) is precise enough and keeps tuning short.</summary>
    internal const long LargeMacs = 1L << 30;

    private static readonly bool Enabled = Environment.GetEnvironmentVariable("THRESHER_GEMM_TUNE") != "0";
    private static readonly ConcurrentDictionary<GemmShape, Choice> Chosen = new();
    private static readonly ConcurrentDictionary<GemmShape, bool> SeenOnce = new();

    /// <summary>One call shape: C[M,N] = op(A)[M,K]·op(B)[K,N], with the operands' layouts, width and threads.</summary>
    internal readonly record struct GemmShape(int M, int N, int K, bool ATransposed, bool BTransposed, bool Use512, int Threads);

    /// <summary>A tuned shape's variant and each candidate's best time in µs (empty when untimed).</summary>
    internal sealed record Choice(GemmVariant Variant, IReadOnlyList<(GemmVariant Variant, double Microseconds)> Timings);

    /// <summary>The choices made so far in this process (for `thresher bench` to report).</summary>
    internal static IReadOnlyDictionary<GemmShape, Choice> Choices => Chosen;

    /// <summary>The variant for this call, timing the candidates on the call's own operands the first time its shape is seen.</summary>
    public static GemmVariant Choose(float* a, nint lda, bool aT, float* b, nint ldb, bool bT, int m, int n, int k, int threads, bool use512)
    {
        if (!Enabled || (long)m * n * k < MinTunedMacs) return GemmVariant.PackBoth;
        var shape = new GemmShape(m, n, k, aT, bT, use512, threads);
        if (Chosen.TryGetValue(shape, out var known)) return known.Variant;
        // The first call of a shape runs untimed: helper threads are just being created and code and data are
        // cold then, which skewed two-thread timings by up to 30 %. A step repeats its shapes, so the second call tunes.
        if (SeenOnce.TryAdd(shape, true)) return GemmVariant.PackBoth;
        var choice = Measure(a, lda, aT, b, ldb, bT, m, n, k, threads, use512);
        Chosen[shape] = choice;
        return choice.Variant;
    }

    private static Choice Measure(float* a, nint lda, bool aT, float* b, nint ldb, bool bT, int m, int n, int k, int threads, bool use512)
    {
        var candidates = GemmVariant.Candidates(bT, use512).Select(v => GemmBlocked.Normalize(v, n, bT, use512)).Distinct().ToArray();
        if (candidates.Length == 1) return new Choice(candidates[0], []);
        var scratch = GC.AllocateUninitializedArray<float>(m * n, pinned: true); // C[m,n], row stride n
        var best = new double[candidates.Length];
        Array.Fill(best, double.PositiveInfinity);
        bool large = (long)m * n * k > LargeMacs;
        int firstTimed = large ? 0 : 1, rounds = large ? 1 : 4; // small: round 0 warms caches and code, then 3 timed
        fixed (float* c = scratch)
        {
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < candidates.Length; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    GemmBlocked.Run(c, n, a, lda, aT, b, ldb, bT, m, n, k, false, threads, use512, candidates[i]);
                    double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    if (round >= firstTimed) best[i] = Math.Min(best[i], us);
                }
            }
        }
        int winner = Array.IndexOf(best, best.Min());
        return new Choice(candidates[winner], [.. candidates.Select((v, i) => (v, best[i]))]);
    }
}
