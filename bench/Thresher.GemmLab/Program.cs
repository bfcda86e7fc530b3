// GEMM lab: every GEMM variant of the step's layer shapes on one thread, timed in this thread's CPU time (best of N),
// beside the FMA peak measured the same way. For comparing kernel changes on a loaded machine, where `thresher bench`
// (wall time, medians) cannot. Usage: dotnet run -c Release --project bench/Thresher.GemmLab [-- REPS [parts|wide]]
using System.Globalization;
using System.Runtime.Intrinsics;
using Thresher.Core.Kernels;
using Thresher.GemmLab;

int reps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
if (!Vector512.IsHardwareAccelerated)
{
    Console.Error.WriteLine("gemm-lab: needs AVX-512 (it times the Vector512 variants)");
    return 2;
}
if (args.Length > 1 && args[1] == "parts")
{
    Parts.Run(reps);
    return 0;
}
if (args.Length > 1 && args[1] == "wide")
{
    Shapes.ReportWide(reps);
    return 0;
}
double peak = Peak.Measure();
Console.WriteLine(FormattableString.Invariant($"FMA peak (best, thread CPU time) {peak:F1} GFLOP/s; L2 {CacheSizes.Current.L2Bytes / 1024} KiB, row block {GemmBlocked.MC}"));
foreach (var (m, k, n) in new[] { (128, 784, 512), (128, 512, 256), (512, 784, 512), (512, 512, 256), (128, 256, 10), (512, 256, 10) })
    Shapes.Report(m, k, n, reps, peak);
return 0;
