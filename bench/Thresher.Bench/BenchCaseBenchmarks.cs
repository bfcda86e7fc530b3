using BenchmarkDotNet.Attributes;
using Thresher.Benchmarks;

namespace Thresher.Bench;

/// <summary>
/// The kernel cases `thresher bench` times (GEMMs of the tutorial MLP at 1 and 2 threads, batch 128 and 512;
/// clip_by_global_norm in place and folded), the same code from Thresher.Benchmarks, under BenchmarkDotNet.
/// GFLOP/s of a GEMM case = 2·m·k·n / mean time. Run one: --filter '*BenchCaseBenchmarks*'.
/// </summary>
[MemoryDiagnoser]
public class BenchCaseBenchmarks
{
    KernelCase _case = null!;

    /// <summary>The case's printed name, e.g. "forward 128x784x512 threads=1".</summary>
    [ParamsSource(nameof(Names))]
    public string Case { get; set; } = "";

    public static IEnumerable<string> Names() => KernelBenchmarks.AllCases().Select(c => c.Name);

    [GlobalSetup]
    public void Setup() => _case = KernelBenchmarks.AllCases().First(c => c.Name == Case);

    [Benchmark]
    public void Run() => _case.Run();
}
