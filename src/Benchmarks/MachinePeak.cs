using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Thresher.Benchmarks;

/// <summary>
/// The machine a benchmark ran on and its measured FP32 FMA peak: 16 independent fused multiply-add chains
/// of the widest accelerated vector (enough to cover FMA latency × ports on Zen 4 and Ice Lake alike), timed on
/// one thread and on every core at once; the median of several repetitions (the best is a turbo burst, not a rate). Every GEMM figure is reported as a
/// fraction of this peak, so figures from different CPUs compare.
/// </summary>
public sealed record MachinePeak(string Cpu, int Cores, int VectorWidth, double FmaPeakGflops1T, double FmaPeakGflops)
{
    private const long Iterations = 12_000_000; // 12 M × 16 FMAs: ~35 ms per repetition at ~180 GFLOP/s

    /// <summary>Measures the peak now (~0.5 s).</summary>
    public static MachinePeak Measure(int repetitions = 5)
    {
        int width = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        int lanes = width / 32;
        double flopsPerThread = Iterations * 16.0 * lanes * 2;
        Chains(1000, width); // JIT and warm up
        int cores = Environment.ProcessorCount;
        var oneThread = new double[repetitions];
        var allCores = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            oneThread[r] = flopsPerThread / Time(1, width) / 1e9;
            allCores[r] = cores * flopsPerThread / Time(cores, width) / 1e9;
        }
        return new MachinePeak(CpuName(), cores, width, Median(oneThread), Median(allCores));
    }

    /// <summary>One line for the bench header.</summary>
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"{Cpu}; {Cores} cores; Vector{VectorWidth}; FMA peak {FmaPeakGflops1T:F1} GFLOP/s on one core, {FmaPeakGflops:F1} on {Cores}");

    /// <summary>Percent of the peak at <paramref name="threads"/> threads (one core's peak × threads, at most all cores').</summary>
    public double PercentOfPeak(double gflops, int threads) =>
        100 * gflops / (threads <= 1 ? FmaPeakGflops1T : Math.Min(FmaPeakGflops, FmaPeakGflops1T * threads));

    internal void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject("machine");
        json.WriteString("cpu", Cpu);
        json.WriteNumber("cores", Cores);
        json.WriteNumber("vector_width", VectorWidth);
        json.WriteNumber("fma_peak_gflops_1t", Math.Round(FmaPeakGflops1T, 1));
        json.WriteNumber("fma_peak_gflops", Math.Round(FmaPeakGflops, 1));
        json.WriteEndObject();
    }

    /// <summary>The CPU's model name from /proc/cpuinfo (e.g. "Intel(R) Xeon(R) Processor @ 2.60GHz", family/model appended).</summary>
    public static string CpuName()
    {
        if (!File.Exists("/proc/cpuinfo")) return "unknown CPU";
        string? name = null, family = null, model = null;
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name") name ??= value;
            else if (key == "cpu family") family ??= value;
            else if (key == "model") model ??= value;
            if (name is not null && family is not null && model is not null) break;
        }
        return $"{name ?? "unknown CPU"} (family {family ?? "?"} model {model ?? "?"})";
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }

    private static double Time(int threads, int width)
    {
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            Chains(Iterations, width);
        })).ToArray();
        foreach (var t in workers) t.Start();
        start.SignalAndWait();
        long t0 = Stopwatch.GetTimestamp();
        foreach (var t in workers) t.Join();
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    private static float Chains(long iterations, int width) => width switch
    {
        512 => Chains512(iterations),
        256 => Chains256(iterations),
        _ => Chains128(iterations),
    };

    // 16 independent accumulators: a_i = a_i·m + c, never denormal (m just below 1, c tiny positive).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(long iterations)
    {
        var m = Vector512.Create(0.9999999f); var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(0.1f), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c, a6 = a5 + c, a7 = a6 + c;
        Vector512<float> a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c, a12 = a11 + c, a13 = a12 + c, a14 = a13 + c, a15 = a14 + c;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c); a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c); a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c); a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            a12 = Vector512.FusedMultiplyAdd(a12, m, c); a13 = Vector512.FusedMultiplyAdd(a13, m, c); a14 = Vector512.FusedMultiplyAdd(a14, m, c); a15 = Vector512.FusedMultiplyAdd(a15, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(long iterations)
    {
        var m = Vector256.Create(0.9999999f); var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(0.1f), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c, a6 = a5 + c, a7 = a6 + c;
        Vector256<float> a8 = a7 + c, a9 = a8 + c, a10 = a9 + c, a11 = a10 + c, a12 = a11 + c, a13 = a12 + c, a14 = a13 + c, a15 = a14 + c;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c); a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c); a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c); a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
            a12 = Vector256.FusedMultiplyAdd(a12, m, c); a13 = Vector256.FusedMultiplyAdd(a13, m, c); a14 = Vector256.FusedMultiplyAdd(a14, m, c); a15 = Vector256.FusedMultiplyAdd(a15, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains128(long iterations)
    {
        var m = Vector128.Create(0.9999999f); var c = Vector128.Create(1e-7f);
        Vector128<float> a0 = Vector128.Create(0.1f), a1 = a0 + c, a2 = a1 + c, a3 = a2 + c, a4 = a3 + c, a5 = a4 + c, a6 = a5 + c, a7 = a6 + c;
        for (long i = 0; i < iterations * 2; i++) // 8 chains, twice the iterations: the same FMA count per element
        {
            a0 = Vector128.FusedMultiplyAdd(a0, m, c); a1 = Vector128.FusedMultiplyAdd(a1, m, c); a2 = Vector128.FusedMultiplyAdd(a2, m, c); a3 = Vector128.FusedMultiplyAdd(a3, m, c);
            a4 = Vector128.FusedMultiplyAdd(a4, m, c); a5 = Vector128.FusedMultiplyAdd(a5, m, c); a6 = Vector128.FusedMultiplyAdd(a6, m, c); a7 = Vector128.FusedMultiplyAdd(a7, m, c);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    }
}
