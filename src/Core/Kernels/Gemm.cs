using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// The three matrix products of an MLP training step, row-major, float32.
/// m = batch rows, k = layer input width, n = layer output width.
/// Register-tiled Vector512 (else Vector256) micro-kernels over packed panels, blocked over k; see
/// <see cref="GemmBlocked"/>; how operands are read is chosen per shape on the machine at hand (<see cref="GemmTuner"/>). threads ≥ 2 splits the output rows (Forward, InputGradient: rows of the batch;
/// WeightGradient: rows of dW, i.e. k) across the thread pool without any reduction, for products of at least
/// <see cref="MinParallelMacs"/> multiply-adds.
/// Spans may be longer than their shape needs; only the leading m·k, k·n, m·n elements are used.
/// </summary>
public static unsafe partial class Gemm
{
    /// <summary>y[m,n] (+)= x[m,k] · w[k,n].</summary>
    public static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate = false, int threads = 1)
        => Forward(y, x, w, m, k, n, accumulate, Threads(m, k, n, threads), Vector512.IsHardwareAccelerated);

    /// <summary>dW[k,n] (+)= xᵀ[k,m] · dY[m,n].</summary>
    public static void WeightGradient(Span<float> dW, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int m, int k, int n, bool accumulate = false, int threads = 1)
        => WeightGradient(dW, x, dY, m, k, n, accumulate, Threads(m, k, n, threads), Vector512.IsHardwareAccelerated);

    /// <summary>dX[m,k] (+)= dY[m,n] · wᵀ[n,k].</summary>
    public static void InputGradient(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate = false, int threads = 1)
        => InputGradient(dX, dY, w, m, k, n, accumulate, Threads(m, k, n, threads), Vector512.IsHardwareAccelerated);

    /// <summary>
    /// One line per call shape tuned so far in this process: the product, the chosen variant and its time, e.g.
    /// "C[128,512] = A[128,784]·B[784,512] threads=1 Vector512: 8-row tiles, A in place, B packed, 837 µs (candidates
    /// 837–1237 µs)"; with <paramref name="everyCandidate"/>, each candidate's time instead. For `thresher bench` and logs.
    /// </summary>
    public static IReadOnlyList<string> DescribeTuning(bool everyCandidate = false) =>
        [.. GemmTuner.Choices.OrderBy(c => c.Key.ToString(), StringComparer.Ordinal).Select(c => Describe(c.Key, c.Value, everyCandidate))];

    private static string Describe(GemmTuner.GemmShape s, GemmTuner.Choice choice, bool everyCandidate)
    {
        string a = s.ATransposed ? $"Aᵀ[{s.K},{s.M}]" : $"A[{s.M},{s.K}]", b = s.BTransposed ? $"Bᵀ[{s.N},{s.K}]" : $"B[{s.K},{s.N}]";
        string head = $"C[{s.M},{s.N}] = {a}·{b} threads={s.Threads} {(s.Use512 ? "Vector512" : "Vector256")}: {choice.Variant}";
        if (choice.Timings.Count == 0) return head + " (the only candidate)";
        var times = choice.Timings.Select(t => t.Microseconds).ToArray();
        double chosen = choice.Timings.First(t => t.Variant == choice.Variant).Microseconds;
        return everyCandidate
            ? head + " (" + string.Join("; ", choice.Timings.Select(t => FormattableString.Invariant($"{t.Variant}: {t.Microseconds:F0} µs"))) + ")"
            : head + FormattableString.Invariant($", {chosen:F0} µs (candidates {times.Min():F0}–{times.Max():F0} µs)");
    }

    /// <summary>Products below this many multiply-adds (~40 µs on one core) run on the calling thread.</summary>
    internal const long MinParallelMacs = 1 << 21;

    /// <summary>
    /// The threads a call uses: a fork/join costs tens of µs when the helper has gone to sleep, more than
    /// splitting a small product saves (the n = 10 output layer: 512×256×10 = 1.3 M multiply-adds).
    /// </summary>
    internal static int Threads(int m, int k, int n, int threads) => threads > 1 && (long)m * k * n < MinParallelMacs ? 1 : threads;

    /// <summary>Forward with an explicit vector width (tests run the Vector256 path on AVX-512 machines too).</summary>
    internal static void Forward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate, int threads, bool use512, GemmVariant? variant = null)
    {
        const string Name = nameof(Gemm) + "." + nameof(Forward);
        KernelThrow.CheckShape(Name, m, k, n, threads);
        KernelThrow.CheckLength(Name, nameof(y), y.Length, m, n, "y[m,n]");
        KernelThrow.CheckLength(Name, nameof(x), x.Length, m, k, "x[m,k]");
        KernelThrow.CheckLength(Name, nameof(w), w.Length, k, n, "w[k,n]");
        fixed (float* py = y, px = x, pw = w)
        {
            // C = y[m,n], A = x[m,k], B = w[k,n]
            GemmBlocked.Run(py, n, px, k, false, pw, n, false, m, n, k, accumulate, threads, use512,
                variant ?? GemmTuner.Choose(px, k, false, pw, n, false, m, n, k, threads, use512));
        }
    }

    /// <summary>WeightGradient with an explicit vector width.</summary>
    internal static void WeightGradient(Span<float> dW, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int m, int k, int n, bool accumulate, int threads, bool use512, GemmVariant? variant = null)
    {
        const string Name = nameof(Gemm) + "." + nameof(WeightGradient);
        KernelThrow.CheckShape(Name, m, k, n, threads);
        KernelThrow.CheckLength(Name, nameof(dW), dW.Length, k, n, "dW[k,n]");
        KernelThrow.CheckLength(Name, nameof(x), x.Length, m, k, "x[m,k]");
        KernelThrow.CheckLength(Name, nameof(dY), dY.Length, m, n, "dY[m,n]");
        fixed (float* pdw = dW, px = x, pdy = dY)
        {
            // C = dW[k,n], A = xᵀ (stored as x[m,k]), B = dY[m,n]; inner dimension m
            GemmBlocked.Run(pdw, n, px, k, true, pdy, n, false, k, n, m, accumulate, threads, use512,
                variant ?? GemmTuner.Choose(px, k, true, pdy, n, false, k, n, m, threads, use512));
        }
    }

    /// <summary>InputGradient with an explicit vector width.</summary>
    internal static void InputGradient(Span<float> dX, ReadOnlySpan<float> dY, ReadOnlySpan<float> w, int m, int k, int n, bool accumulate, int threads, bool use512, GemmVariant? variant = null)
    {
        const string Name = nameof(Gemm) + "." + nameof(InputGradient);
        KernelThrow.CheckShape(Name, m, k, n, threads);
        KernelThrow.CheckLength(Name, nameof(dX), dX.Length, m, k, "dX[m,k]");
        KernelThrow.CheckLength(Name, nameof(dY), dY.Length, m, n, "dY[m,n]");
        KernelThrow.CheckLength(Name, nameof(w), w.Length, k, n, "w[k,n]");
        fixed (float* pdx = dX, pdy = dY, pw = w)
        {
            // C = dX[m,k], A = dY[m,n], B = wᵀ (stored as w[k,n]); inner dimension n
            GemmBlocked.Run(pdx, k, pdy, n, false, pw, n, true, m, k, n, accumulate, threads, use512,
                variant ?? GemmTuner.Choose(pdy, n, false, pw, n, true, m, k, n, threads, use512));
        }
    }
}
