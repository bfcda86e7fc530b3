using Thresher.Core.Backends;

namespace Thresher.Gpu.Tests;

/// <summary>
/// `--backend` parsing, and what cuda and auto select: on a machine without a usable GPU (CI) and on one with a GPU.
/// Each machine runs the cases that apply to it and reports the others as skipped.
/// </summary>
public sealed class BackendSelectionTests
{
    [Theory]
    [InlineData(null, BackendKind.Cpu)]
    [InlineData("cpu", BackendKind.Cpu)]
    [InlineData("CUDA", BackendKind.Cuda)]
    [InlineData(" auto ", BackendKind.Auto)]
    public void Names_parse(string? name, BackendKind kind) => Assert.Equal(kind, GradientBackends.Parse(name));

    [Fact]
    public void Unknown_name_is_rejected_with_the_accepted_ones()
    {
        var e = Assert.Throws<ThresherInputException>(() => GradientBackends.Parse("tpu"));
        Assert.Contains("'tpu'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cpu, cuda or auto", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cpu_is_the_simd_backend() => Assert.Same(GradientBackendFactory.Cpu, GradientBackends.Select(BackendKind.Cpu));

    [NoCudaFact]
    public void Cuda_without_a_gpu_fails_clearly_and_auto_falls_back()
    {
        var e = Assert.Throws<ThresherInputException>(() => GradientBackends.Select(BackendKind.Cuda));
        Assert.Contains("libcuda.so.1", e.Message, StringComparison.Ordinal);
        Assert.Contains("--backend cpu", e.Message, StringComparison.Ordinal);

        var log = new List<string>();
        var factory = GradientBackends.Select(BackendKind.Auto, log: log.Add);
        Assert.StartsWith("cpu", factory.Description, StringComparison.Ordinal);
        Assert.Contains(log, line => line.Contains("using the CPU", StringComparison.Ordinal));
        using var backend = factory.Create(new Core.Model.MlpConfig([4, 3]), 2, 1);
        Assert.IsType<CpuGradientBackend>(backend);
    }

    [CudaFact]
    public void Cuda_and_auto_select_the_gpu_when_there_is_one()
    {
        var gpu = GradientBackends.OpenCuda(out string problem);
        Assert.True(gpu is not null, $"the CudaFact found a GPU, but opening it now failed: {problem}");
        foreach (var kind in new[] { BackendKind.Cuda, BackendKind.Auto })
        {
            var log = new List<string>();
            var factory = GradientBackends.Select(kind, log: log.Add);
            Assert.StartsWith(gpu.Name, factory.Description, StringComparison.Ordinal);
            Assert.StartsWith($"backend: {gpu.Name}; GEMMs: ", Assert.Single(log), StringComparison.Ordinal);
            using var backend = factory.Create(new Core.Model.MlpConfig([4, 3]), 2, 1);
            Assert.IsType<IlgpuGradientBackend>(backend);
        }
    }
}
