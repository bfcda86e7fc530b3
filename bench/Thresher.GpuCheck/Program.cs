using System.Globalization;
using Thresher.Core.Data;
using Thresher.Gpu;
using Thresher.GpuCheck;

// thresher-gpu-check [--data DIR] [--out FILE]: the device check of scripts/gpu-check.sh. Prints kernel parity
// (CUDA vs the SIMD CPU kernels), step throughput for batch 128/1024/8192 (CPU 2 threads, CPU all cores, CUDA)
// and 300 steps of the default recipe with test accuracy. Without a usable CUDA GPU it says so and exits 0.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string? dataDir = Arg("--data");
string? outFile = Arg("--out");
var report = new Report(outFile);
int failed = 0;

report.Line($"thresher gpu-check — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPU cores, {Environment.OSVersion}, .NET {Environment.Version}");
var ptx = PtxCompiler.CompileAll(ILGPU.Runtime.Cuda.CudaArchitecture.SM_90, ILGPU.Runtime.Cuda.CudaInstructionSet.ISA_88);
report.Line($"ptx: {ptx.Count} kernels compiled for sm_90 ({string.Join(", ", ptx.Keys)})");

var runtime = GradientBackends.OpenCuda(out string problem);
if (runtime is null)
{
    report.Line($"no CUDA device: {problem}");
    Section("ilgpu cpu-accelerator self-test", () => Checks.CpuAcceleratorSelfTest(report));
    report.Line("nothing more to check on this machine (run `scripts/gpu-check.sh run` on a machine with an NVIDIA GPU)");
    return 0;
}
report.Line($"device: {runtime.Name}");
Dataset? data = null;
if (dataDir is not null && Directory.Exists(dataDir))
{
    data = Dataset.ReadDirectory(dataDir, "mnist");
    report.Line($"data: {data.Directory} ({data.Train.Count} train, {data.Test.Count} test)");
}
else report.Line($"data: none ({dataDir ?? "no --data"}); throughput uses synthetic images, training is skipped");

var train = data?.Train ?? Checks.SyntheticSplit(60_000);
Section("kernel parity", () => Checks.KernelParity(report, runtime));
Section("step parity", () => Checks.StepParity(report, runtime, train));
Section("throughput", () => Checks.Throughput(report, runtime, train, [128, 1024, 8192]));
if (data is not null) Section("training", () => Checks.Training(report, runtime, data, steps: 300));
report.Line(failed == 0 ? "done" : $"done, {failed} section(s) FAILED");
return failed == 0 ? 0 : 1;

// One failing section (a kernel the driver rejects, say) is reported and the others still run.
void Section(string name, Action check)
{
    try
    {
        check();
    }
    catch (Exception e)
    {
        failed++;
        report.Line($"{name}: FAILED — {e}");
    }
}

string? Arg(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
