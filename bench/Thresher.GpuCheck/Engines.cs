using Thresher.Gpu;

namespace Thresher.GpuCheck;

/// <summary>One way of running the GEMMs on the device: ILGPU's tiled kernel, or cuBLAS in a math mode.</summary>
/// <param name="Make">Makes the engine's GEMM forms (null: the tiled kernel, the backends' default).</param>
sealed record Engine(string Name, Func<IGemmForms>? Make, GpuMath Math)
{
    /// <summary>The forms themselves (the tiled ones when <see cref="Make"/> is null).</summary>
    public IGemmForms Create(GpuRuntime gpu) => Make?.Invoke() ?? new TiledGemmForms(gpu.Kernels);

    /// <summary>ilgpu tiled, then cublas fp32 and tf32 when cuBLAS loads (else a line saying why not).</summary>
    public static IReadOnlyList<Engine> On(GpuRuntime gpu, Report report)
    {
        var engines = new List<Engine> { new("ilgpu-gemm", null, GpuMath.Fp32) };
        foreach (var math in new[] { GpuMath.Fp32, GpuMath.Tf32 })
        {
            var make = GradientBackends.Cublas(gpu, math, out string problem);
            if (make is null)
            {
                report.Line($"cublas {GpuMaths.Name(math)}: not available — {problem}");
                continue;
            }
            engines.Add(new($"cublas-{GpuMaths.Name(math)}", make, math));
        }
        return engines;
    }
}
