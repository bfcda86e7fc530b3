using Thresher.Core.Backends;
using Thresher.Core.Model;

namespace Thresher.Gpu.Tests;

/// <summary>
/// `--gpu-math`: parsing, and what a request gets where cuBLAS is missing. "CUDA present, cuBLAS absent" is
/// simulated with ILGPU's CPU accelerator standing in for the GPU and a cuBLAS source that finds nothing.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class GpuMathSelectionTests(CpuAccelerator gpu)
{
    const string Missing = "looked for cuBLAS as libcublas.so.13, libcublas.so.12, libcublas.so: none found";

    [Theory]
    [InlineData(null, GpuMath.Fp32)]
    [InlineData("FP32", GpuMath.Fp32)]
    [InlineData(" tf32 ", GpuMath.Tf32)]
    public void Names_parse(string? name, GpuMath math) => Assert.Equal(math, GpuMaths.Parse(name));

    [Fact]
    public void Unknown_math_is_rejected_with_the_accepted_ones()
    {
        var e = Assert.Throws<ThresherInputException>(() => GpuMaths.Parse("fp16"));
        Assert.Equal("gpu-math 'fp16': unknown; expected fp32 or tf32", e.Message);
    }

    [Theory]
    [InlineData(BackendKind.Cuda)]
    [InlineData(BackendKind.Auto)]
    public void Tf32_with_cuda_present_and_cublas_absent_is_refused(BackendKind kind)
    {
        var e = Assert.Throws<ThresherInputException>(() => GradientBackends.Select(kind, GpuMath.Tf32, null, CpuAsCuda, NoCublas));
        Assert.Equal($"gpu-math 'tf32': needs cuBLAS — {Missing}; or use --gpu-math fp32 (ILGPU's GEMM)", e.Message);
    }

    [Fact]
    public void Fp32_with_cublas_absent_falls_back_to_the_tiled_gemm_and_says_so()
    {
        var log = new List<string>();
        var factory = GradientBackends.Select(BackendKind.Cuda, GpuMath.Fp32, log.Add, CpuAsCuda, NoCublas);
        Assert.Equal($"{gpu.Runtime.Name}, ilgpu tiled fp32", factory.Description);
        Assert.Equal($"backend: {gpu.Runtime.Name}; GEMMs: ilgpu tiled fp32 (no cuBLAS: {Missing})", Assert.Single(log));
        using var backend = Assert.IsType<IlgpuGradientBackend>(factory.Create(new MlpConfig([4, 3]), 2, 1));
        Assert.Equal("ilgpu tiled fp32", backend.GemmName);
    }

    [Fact]
    public void A_found_sgemm_library_gives_blas_gemms_in_the_requested_math()
    {
        GpuMath? asked = null;
        var factory = GradientBackends.Select(BackendKind.Auto, GpuMath.Tf32, null, CpuAsCuda, (GpuRuntime runtime, GpuMath math, out string problem) =>
        {
            problem = "";
            asked = math;
            return () => new BlasGemmForms(new HostSgemm(runtime.Accelerator.DefaultStream));
        });
        Assert.Equal(GpuMath.Tf32, asked);
        Assert.Equal($"{gpu.Runtime.Name}, cublas tf32", factory.Description);
        using var backend = Assert.IsType<IlgpuGradientBackend>(factory.Create(new MlpConfig([4, 3]), 2, 1));
        Assert.StartsWith("host sgemm", backend.GemmName, StringComparison.Ordinal);
    }

    [Fact]
    public void Tf32_on_the_cpu_backend_is_refused()
    {
        var e = Assert.Throws<ThresherInputException>(() => GradientBackends.Select(BackendKind.Cpu, GpuMath.Tf32));
        Assert.Contains("use --backend cuda or --gpu-math fp32", e.Message, StringComparison.Ordinal);
        Assert.Same(GradientBackendFactory.Cpu, GradientBackends.Select(BackendKind.Cpu, GpuMath.Fp32));
    }

    [NoCudaFact]
    public void Tf32_without_a_gpu_is_refused_by_cuda_and_auto()
    {
        var cuda = Assert.Throws<ThresherInputException>(() => GradientBackends.Select(BackendKind.Cuda, GpuMath.Tf32));
        Assert.StartsWith("backend 'cuda': no usable CUDA GPU", cuda.Message, StringComparison.Ordinal);
        var auto = Assert.Throws<ThresherInputException>(() => GradientBackends.Select(BackendKind.Auto, GpuMath.Tf32));
        Assert.StartsWith("gpu-math 'tf32': needs a GPU with cuBLAS, and backend auto found no usable CUDA GPU", auto.Message, StringComparison.Ordinal);
    }

    GpuRuntime? CpuAsCuda(out string problem)
    {
        problem = "";
        return gpu.Runtime;
    }

    static Func<IGemmForms>? NoCublas(GpuRuntime runtime, GpuMath math, out string problem)
    {
        problem = Missing;
        return null;
    }
}
