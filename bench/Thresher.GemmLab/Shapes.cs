using Thresher.Core.Kernels;

namespace Thresher.GemmLab;

/// <summary>Forward and weight-gradient of one layer shape: every valid Vector512 variant, the best of each printed.</summary>
internal static class Shapes
{
    public static void Report(int m, int k, int n, int reps, double peak)
    {
        var (x, w, y, dW, flops) = Operands(m, k, n);
        double bestF = 0, bestG = 0;
        string variantF = "", variantG = "";
        foreach (var v in GemmVariant.Candidates(false, true).Select(v => GemmBlocked.Normalize(v, n, false, true)).Distinct())
        {
            double f = flops / ThreadClock.Best(reps, () => Gemm.Forward(y, x, w, m, k, n, false, 1, true, v)) / 1e9;
            double g = flops / ThreadClock.Best(reps, () => Gemm.WeightGradient(dW, x, y, m, k, n, false, 1, true, v)) / 1e9;
            Console.WriteLine(FormattableString.Invariant($"  {m}x{k}x{n} {v,-36} forward {f,6:F1}  weight-gradient {g,6:F1}"));
            if (f > bestF) (bestF, variantF) = (f, v.ToString());
            if (g > bestG) (bestG, variantG) = (g, v.ToString());
        }
        Console.WriteLine(FormattableString.Invariant(
            $"{m}x{k}x{n,-4} forward {bestF,6:F1} ({100 * bestF / peak,3:F0}%) [{variantF}]   weight-gradient {bestG,6:F1} ({100 * bestG / peak,3:F0}%) [{variantG}]"));
    }

    /// <summary>
    /// The 6×64 tile alone on the step's layer shapes at batch 64, 128 and 512 (a worker of two, the default batch, the
    /// large one): best and median GFLOP/s and % of the peak, for A/B comparisons of that kernel between two builds.
    /// </summary>
    public static void ReportWide(int reps)
    {
        double peak = Peak.Measure();
        Console.WriteLine(FormattableString.Invariant($"FMA peak (best, thread CPU time) {peak:F1} GFLOP/s"));
        var wide = new GemmVariant(true, true, Wide: true);
        var shapes = new[] { (64, 784, 512), (64, 512, 256), (128, 784, 512), (128, 512, 256), (512, 784, 512), (512, 512, 256) };
        for (int pass = 0; pass < 2; pass++) // the first pass warms the JIT (wrappers and lambdas start at tier 0) and the clock
        {
            foreach (var (m, k, n) in shapes)
            {
                var (x, w, y, dW, flops) = Operands(m, k, n);
                var f = ThreadClock.BestAndMedian(reps, () => Gemm.Forward(y, x, w, m, k, n, false, 1, true, wide));
                var g = ThreadClock.BestAndMedian(reps, () => Gemm.WeightGradient(dW, x, y, m, k, n, false, 1, true, wide));
                if (pass == 1)
                    Console.WriteLine(FormattableString.Invariant(
                        $"{m}x{k}x{n,-4} forward best {flops / f.Best / 1e9,6:F1} ({100 * flops / f.Best / 1e9 / peak,3:F0}%) median {flops / f.Median / 1e9,6:F1}   weight-gradient best {flops / g.Best / 1e9,6:F1} ({100 * flops / g.Best / 1e9 / peak,3:F0}%) median {flops / g.Median / 1e9,6:F1}"));
            }
        }
    }

    /// <summary>x[m,k], w[k,n], y[m,n] (seeded), dW[k,n], and the multiply-adds ×2 of one product.</summary>
    private static (float[] X, float[] W, float[] Y, float[] DW, double Flops) Operands(int m, int k, int n) =>
        (Random(m * k, 1), Random(k * n, 2), Random(m * n, 3), new float[k * n], 2.0 * m * k * n);

    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
        return a;
    }
}
