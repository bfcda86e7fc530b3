using Thresher.Core.Backends;

namespace Thresher.Gpu;

/// <summary>Which backend a host asks for: the SIMD CPU, a CUDA GPU (or fail), or CUDA when present else CPU.</summary>
public enum BackendKind
{
    Cpu,
    Cuda,
    Auto,
}

/// <summary>
/// Turns `--backend cpu|cuda|auto` and `--gpu-math fp32|tf32` into the <see cref="GradientBackendFactory"/> a host
/// registers. The CUDA device and cuBLAS are opened once per process and shared by every worker backend made from
/// the factory; each backend gets its own cuBLAS handle on the device's stream.
/// </summary>
public static class GradientBackends
{
    static readonly Lock Gate = new();
    static GpuRuntime? _cuda;

    /// <summary>The simulator's launch geometry: 4×4-thread GEMM groups on ILGPU's default 16-thread CPU device.</summary>
    static readonly GpuTiles SimulatorTiles = new() { GroupX = 4, GroupY = 4, TileK = 8, BiasChunkRows = 64, ReduceGroup = 16, ElementGroup = 16 };

    /// <summary>Opens the CUDA device: the runtime, or null and why.</summary>
    internal delegate GpuRuntime? CudaSource(out string problem);

    /// <summary>Makes GEMM forms on a runtime in a math mode: a maker, or null and why (no cuBLAS).</summary>
    internal delegate Func<IGemmForms>? SgemmSource(GpuRuntime runtime, GpuMath math, out string problem);

    /// <summary>The accepted names, for help texts and messages.</summary>
    public const string Names = "cpu, cuda or auto";

    /// <summary>
    /// THRESHER_CUDA_SIMULATOR=ilgpu-cpu: the process's "CUDA device" is ILGPU's CPU accelerator simulating a
    /// small device (16 threads per group, <see cref="SimulatorTiles"/>, no cuBLAS), so `--backend cuda` runs the GPU
    /// path end to end on a machine without a GPU — far slower than the SIMD backend; for tests and dry runs only.
    /// </summary>
    public const string SimulatorVariable = "THRESHER_CUDA_SIMULATOR";

    /// <summary>Parses a backend name (case-insensitive; null or empty = cpu).</summary>
    public static BackendKind Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "cpu" => BackendKind.Cpu,
        "cuda" or "gpu" => BackendKind.Cuda,
        "auto" => BackendKind.Auto,
        _ => throw new ThresherInputException($"backend '{name}': unknown; expected {Names}"),
    };

    /// <summary>
    /// The factory for <paramref name="kind"/>. cuda without a usable GPU throws a ThresherInputException that
    /// says what was looked for and what to do; auto falls back to the CPU and reports that through
    /// <paramref name="log"/>. On a GPU, GEMMs run on cuBLAS when it loads, else on ILGPU's tiled kernel (logged);
    /// <paramref name="math"/> tf32 needs cuBLAS and throws a ThresherInputException wherever it is missing.
    /// </summary>
    public static GradientBackendFactory Select(BackendKind kind, GpuMath math = GpuMath.Fp32, Action<string>? log = null) =>
        Select(kind, math, log, OpenCuda, Cublas);

    /// <summary>Parse, then select (null or empty math = fp32).</summary>
    public static GradientBackendFactory Select(string? name, string? math, Action<string>? log = null) => Select(Parse(name), GpuMaths.Parse(math), log);

    /// <summary>Parse, then select in fp32.</summary>
    public static GradientBackendFactory Select(string? name, Action<string>? log = null) => Select(Parse(name), GpuMath.Fp32, log);

    /// <summary>The selection with its sources injected: tests simulate "CUDA present, cuBLAS absent" on the CPU accelerator.</summary>
    internal static GradientBackendFactory Select(BackendKind kind, GpuMath math, Action<string>? log, CudaSource cuda, SgemmSource sgemm)
    {
        if (kind == BackendKind.Cpu)
        {
            if (math == GpuMath.Tf32) throw new ThresherInputException("gpu-math 'tf32': needs a GPU with cuBLAS, but the backend is cpu (fp32 SIMD); use --backend cuda or --gpu-math fp32");
            return GradientBackendFactory.Cpu;
        }
        var runtime = cuda(out string problem);
        if (runtime is not null)
        {
            var gemm = sgemm(runtime, math, out string blasProblem);
            if (gemm is null && math == GpuMath.Tf32)
                throw new ThresherInputException($"gpu-math 'tf32': needs cuBLAS — {blasProblem}; or use --gpu-math fp32 (ILGPU's GEMM)");
            string gemmName = gemm is null ? $"ilgpu tiled fp32 (no cuBLAS: {blasProblem})" : $"cublas {GpuMaths.Name(math)}";
            log?.Invoke($"backend: {runtime.Name}; GEMMs: {gemmName}");
            return ForRuntime(runtime, gemm, $"{runtime.Name}, {(gemm is null ? "ilgpu tiled fp32" : $"cublas {GpuMaths.Name(math)}")}");
        }
        if (kind == BackendKind.Cuda)
            throw new ThresherInputException($"backend 'cuda': no usable CUDA GPU — {problem}. Run on a machine with an NVIDIA GPU and driver (in a container: pass the GPU in, e.g. --gpus all), or use --backend cpu or --backend auto");
        if (math == GpuMath.Tf32)
            throw new ThresherInputException($"gpu-math 'tf32': needs a GPU with cuBLAS, and backend auto found no usable CUDA GPU ({problem}); use --gpu-math fp32 to let auto fall back to the CPU");
        log?.Invoke($"backend auto: no usable CUDA GPU ({problem}); using the CPU");
        return new GradientBackendFactory("cpu (auto: no usable CUDA GPU)", (layers, maxBatch, threads) => new CpuGradientBackend(layers, maxBatch, threads)) { OnCpu = true };
    }

    /// <summary>A factory of ILGPU backends on <paramref name="runtime"/> with ILGPU's tiled GEMM (tests use the CPU accelerator).</summary>
    public static GradientBackendFactory ForRuntime(GpuRuntime runtime) => ForRuntime(runtime, null, runtime?.Name ?? "");

    /// <summary>
    /// A factory of ILGPU backends whose GEMMs come from <paramref name="gemm"/> (null: the tiled kernel), with the
    /// device-resident trainer on the same runtime and GEMMs as its <see cref="GradientBackendFactory.Resident"/>.
    /// </summary>
    internal static GradientBackendFactory ForRuntime(GpuRuntime runtime, Func<IGemmForms>? gemm, string description)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return new GradientBackendFactory(description, (layers, maxBatch, _) => new IlgpuGradientBackend(runtime, layers, maxBatch, gemm))
        {
            Resident = new ResidentTrainerFactory($"device loop on {description}", (options, train, start) => DeviceTrainer.From(runtime, options, train, gemm, start)),
        };
    }

    /// <summary>The process's CUDA runtime, opened on first call; null (and why) when there is no usable GPU.</summary>
    public static GpuRuntime? OpenCuda(out string problem)
    {
        lock (Gate)
        {
            problem = "";
            if (_cuda is null && Environment.GetEnvironmentVariable(SimulatorVariable) is { Length: > 0 } simulator)
            {
                if (simulator != "ilgpu-cpu") throw new ThresherInputException($"{SimulatorVariable} '{simulator}': unknown; expected ilgpu-cpu (or unset)");
                _cuda = GpuRuntime.CreateCpu(SimulatorTiles);
            }
            return _cuda ??= GpuRuntime.TryCreateCuda(out problem);
        }
    }

    /// <summary>cuBLAS GEMM forms on the runtime's stream, or null when cuBLAS does not load.</summary>
    internal static Func<IGemmForms>? Cublas(GpuRuntime runtime, GpuMath math, out string problem)
    {
        var library = CublasLibrary.TryLoad(out problem);
        if (library is null) return null;
        if (runtime.Accelerator.DefaultStream is not ILGPU.Runtime.Cuda.CudaStream stream)
        {
            problem = $"cuBLAS runs on CUDA devices only, not on {runtime.Name}";
            return null;
        }
        return () => new BlasGemmForms(new CublasSgemm(library, stream.StreamPtr, math));
    }
}
