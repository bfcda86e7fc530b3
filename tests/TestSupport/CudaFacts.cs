using Thresher.Gpu;

namespace Thresher.TestSupport;

/// <summary>
/// A fact that needs a usable CUDA GPU; on a machine without one it is reported as skipped, with the reason the
/// driver gave. Linked into the test projects that reference Thresher.Gpu.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (GradientBackends.OpenCuda(out string problem) is null)
            Skip = $"needs a usable CUDA GPU, and this machine has none ({problem}); the no-GPU behaviour is covered by the NoCudaFact tests";
    }
}

/// <summary>
/// A fact about what happens on a machine without a usable CUDA GPU (CI); on a machine with one it is reported
/// as skipped, naming the GPU, since the behaviour under test cannot occur there.
/// </summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (GradientBackends.OpenCuda(out _) is { } gpu)
            Skip = $"checks the behaviour without a GPU, and this machine has one ({gpu.Name}); the GPU behaviour is covered by the CudaFact tests";
    }
}
