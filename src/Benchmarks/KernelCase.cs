namespace Thresher.Benchmarks;

/// <summary>
/// One kernel call that `thresher bench` times and bench/Thresher.Bench runs under BenchmarkDotNet: its name as
/// the bench prints it, its inputs (allocated once, when the case is made) and the call. A GEMM case counts
/// 2·m·k·n flops per call and is reported in GFLOP/s; a clip case (<see cref="Flops"/> 0) in µs per call.
/// </summary>
/// <param name="Kind"><see cref="BenchResult.Gemm"/> or <see cref="BenchResult.Clip"/>.</param>
/// <param name="Name">The printed name, unique over every case (it holds the shape and the threads).</param>
/// <param name="Threads">Kernel threads of the call.</param>
/// <param name="Batch">Rows of the GEMM (m); 0 for clip.</param>
/// <param name="Flops">Floating-point operations per call; 0 when the case is reported as time.</param>
/// <param name="Run">One call.</param>
public sealed record KernelCase(string Kind, string Name, int Threads, int Batch, double Flops, Action Run)
{
    /// <summary>Times the case under <paramref name="plan"/>: GFLOP/s with the share of <paramref name="peak"/>, or µs per call.</summary>
    public BenchResult Measure(BenchPlan plan, MachinePeak peak)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(peak);
        var seconds = plan.SecondsPerUnit(Run);
        if (Flops <= 0)
            return BenchResult.From(Kind, Name, Threads, Batch, 1, [.. seconds.Select(s => s * 1e6)], BenchResult.Microseconds);
        var result = BenchResult.From(Kind, Name, Threads, Batch, 1, [.. seconds.Select(s => Flops / s / 1e9)], BenchResult.GigaFlops);
        return result with { PercentOfPeak = peak.PercentOfPeak(result.Median, Threads) };
    }

    public override string ToString() => Name;
}
