using Thresher.Core.Backends;

namespace Thresher.Gpu.Tests;

/// <summary>`--backend` parsing, and what cuda and auto do on a machine without a usable GPU (this one, CI).</summary>
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

    [Fact]
    public void Cuda_without_a_gpu_fails_clearly_and_auto_falls_back()
    {
        if (GradientBackends.OpenCuda(out _) is not null) return; // a machine with a GPU: nothing to check here
        var e = Assert.Throws<ThresherInputException>(() => GradientBackends.Select(BackendKind.Cuda));
        Assert.Contains("libcuda.so.1", e.Message, StringComparison.Ordinal);
        Assert.Contains("--backend cpu", e.Message, StringComparison.Ordinal);

        var log = new List<string>();
        var factory = GradientBackends.Select(BackendKind.Auto, log.Add);
        Assert.StartsWith("cpu", factory.Description, StringComparison.Ordinal);
        Assert.Contains(log, line => line.Contains("using the CPU", StringComparison.Ordinal));
        using var backend = factory.Create(new Core.Model.MlpConfig([4, 3]), 2, 1);
        Assert.IsType<CpuGradientBackend>(backend);
    }
}
