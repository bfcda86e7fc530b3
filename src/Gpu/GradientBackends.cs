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
/// Turns `--backend cpu|cuda|auto` into the <see cref="GradientBackendFactory"/> a host registers. The CUDA
/// device is opened once per process and shared by every worker backend made from the factory.
/// </summary>
public static class GradientBackends
{
    static readonly Lock Gate = new();
    static GpuRuntime? _cuda;

    /// <summary>The accepted names, for help texts and messages.</summary>
    public const string Names = "cpu, cuda or auto";

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
    /// <paramref name="log"/>.
    /// </summary>
    public static GradientBackendFactory Select(BackendKind kind, Action<string>? log = null)
    {
        if (kind == BackendKind.Cpu) return GradientBackendFactory.Cpu;
        var runtime = OpenCuda(out string problem);
        if (runtime is not null)
        {
            log?.Invoke($"backend: {runtime.Name}");
            return ForRuntime(runtime);
        }
        if (kind == BackendKind.Cuda)
            throw new ThresherInputException($"backend 'cuda': no usable CUDA GPU — {problem}. Run on a machine with an NVIDIA GPU and driver (in a container: pass the GPU in, e.g. --gpus all), or use --backend cpu or --backend auto");
        string fallback = $"backend auto: no usable CUDA GPU ({problem}); using the CPU";
        log?.Invoke(fallback);
        return new GradientBackendFactory("cpu (auto: no usable CUDA GPU)", (layers, maxBatch, threads) => new CpuGradientBackend(layers, maxBatch, threads));
    }

    /// <summary>Parse, then select.</summary>
    public static GradientBackendFactory Select(string? name, Action<string>? log = null) => Select(Parse(name), log);

    /// <summary>A factory of ILGPU backends on <paramref name="runtime"/> (tests use the CPU accelerator).</summary>
    public static GradientBackendFactory ForRuntime(GpuRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return new GradientBackendFactory(runtime.Name, (layers, maxBatch, _) => new IlgpuGradientBackend(runtime, layers, maxBatch));
    }

    /// <summary>The process's CUDA runtime, opened on first call; null (and why) when there is no usable GPU.</summary>
    public static GpuRuntime? OpenCuda(out string problem)
    {
        lock (Gate)
        {
            problem = "";
            return _cuda ??= GpuRuntime.TryCreateCuda(out problem);
        }
    }
}
