using System.Globalization;
using Thresher.Core.Data;
using Thresher.Gpu;
using Thresher.GpuCheck;

// thresher-gpu-check [--data DIR] [--out FILE]: the device check of scripts/gpu-check.sh (issue 19). Prints, per GEMM
// engine (ILGPU's tiled kernel, cuBLAS fp32, cuBLAS tf32): parity with the SIMD CPU kernels per GEMM form and per step,
// samples/s at batch 128/1024/8192 for the worker step and the device-resident step, time to 98 % on MNIST, the host
// syncs per step, and the issue's targets met or not. Without a usable CUDA GPU it says so, runs a self-test on ILGPU's
// CPU accelerator and exits 0. Exit 1 when a section failed or an fp32 parity exceeded 1e-5.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string? dataDir = Arg("--data");
var report = new Report(Arg("--out"));
int failed = 0;

report.Line($"thresher gpu-check — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPU cores, {Environment.OSVersion}, .NET {Environment.Version}");
var ptx = PtxCompiler.CompileAll(ILGPU.Runtime.Cuda.CudaArchitecture.SM_90, ILGPU.Runtime.Cuda.CudaInstructionSet.ISA_88);
report.Line($"ptx: {ptx.Count} kernels compiled for sm_90 ({string.Join(", ", ptx.Keys)})");

var runtime = GradientBackends.OpenCuda(out string problem);
if (runtime is null)
{
    report.Line($"no CUDA device: {problem}");
    report.Line(CublasLibrary.TryLoad(out string blasProblem) is { } blas ? $"cublas: {blas.File} loads" : $"cublas: {blasProblem}");
    Section("ilgpu cpu-accelerator self-test", () => Checks.CpuAcceleratorSelfTest(report));
    report.Line("nothing more to check on this machine (run `scripts/gpu-check.sh run` on a machine with an NVIDIA GPU)");
    return failed == 0 ? 0 : 1;
}
report.Line($"device: {runtime.Name}");
var scale = runtime.Name.StartsWith("ilgpu-cpu", StringComparison.Ordinal) ? CheckScale.Simulator : CheckScale.Gpu;
if (scale.Simulated)
    report.Line($"SIMULATED DEVICE ({GradientBackends.SimulatorVariable}): every section runs on ILGPU's CPU accelerator at a small scale (model {scale.Layers}, batches {string.Join("/", scale.Batches)}, {CheckScale.SimulatedTrain}/{CheckScale.SimulatedTest} MNIST images, {CheckScale.SimulatedSteps} steps); the figures measure the simulator and mean nothing about a GPU");
Dataset? data = null;
if (dataDir is not null && Directory.Exists(dataDir))
{
    data = Dataset.ReadDirectory(dataDir, "mnist");
    report.Line($"data: {data.Directory} ({data.Train.Count} train, {data.Test.Count} test)");
}
else report.Line($"data: none ({dataDir ?? "no --data"}); throughput uses synthetic images, time to accuracy is skipped");

var train = scale.Slice(data?.Train ?? Device.SyntheticSplit(60_000), CheckScale.SimulatedTrain);
var test = data is null ? null : scale.Slice(data.Test, CheckScale.SimulatedTest);
var engines = Engine.On(runtime, report);
report.Line($"gemm engines: {string.Join(", ", engines.Select(e => e.Name))}");
Section("kernel parity", () => Checks.KernelParity(report, runtime, scale));
Section("gemm parity", () => failed += BlasChecks.GemmForms(report, runtime, engines, scale));
Section("step parity", () => failed += BlasChecks.Steps(report, runtime, engines, train, scale));
Dictionary<(string Engine, int Batch), double> rates = [];
Section("throughput", () => rates = Throughput.Run(report, runtime, engines, train, scale));
Dictionary<(string Recipe, string Engine), double?> at98 = [];
if (test is not null)
{
    Section("time to 98 %", () => at98 = TimeToAccuracy.Device(report, runtime, engines, train, test, scale));
    Section("time to 98 % (worker split)", () => TimeToAccuracy.WorkerSplit(report, runtime, engines.FirstOrDefault(e => e.Name == "cublas-fp32") ?? engines[0], train, test, scale));
}
report.Line($"host syncs on the device in all: {runtime.HostSyncs}");
Targets.Print(report, rates, at98, scale);
report.Line(failed == 0 ? "done" : $"done, {failed} check(s) FAILED");
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
