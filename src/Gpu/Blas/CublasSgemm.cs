using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Thresher.Gpu;

/// <summary>
/// <see cref="ISgemm"/> on cuBLAS: one handle bound to ILGPU's CUDA stream (so GEMMs and ILGPU kernels run in
/// queue order, with no host sync between them), in the requested math mode. Create and use it with the
/// accelerator's context current (the runtime's <see cref="GpuRuntime.Gate"/> and Bind()).
/// </summary>
internal sealed class CublasSgemm : ISgemm
{
    readonly CublasLibrary _library;
    IntPtr _handle;

    /// <param name="stream">The CUstream the GEMMs are queued on (ILGPU's <see cref="CudaStream.StreamPtr"/>).</param>
    public CublasSgemm(CublasLibrary library, IntPtr stream, GpuMath math)
    {
        ArgumentNullException.ThrowIfNull(library);
        _library = library;
        _handle = library.Create();
        try
        {
            library.SetStream(_handle, stream);
            // Default math is IEEE fp32 (no tensor cores for sgemm); TF32 lets sgemm round inputs to TF32 on tensor cores.
            library.SetMathMode(_handle, math == GpuMath.Tf32 ? 3 : 0);
        }
        catch
        {
            library.Destroy(_handle);
            throw;
        }
        Name = $"cublas {GpuMaths.Name(math)} ({library.File})";
    }

    public string Name { get; }

    public void Sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc)
    {
        SgemmArguments.Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        IntPtr pa = k > 0 ? a.LoadEffectiveAddressAsPtr() : IntPtr.Zero, pb = k > 0 ? b.LoadEffectiveAddressAsPtr() : IntPtr.Zero;
        _library.Sgemm(_handle, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, c.LoadEffectiveAddressAsPtr(), ldc);
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        _library.Destroy(_handle);
        _handle = IntPtr.Zero;
    }
}
