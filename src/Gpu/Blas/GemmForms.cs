using ILGPU;
using ILGPU.Runtime;

namespace Thresher.Gpu;

/// <summary>
/// The three GEMM forms of an MLP layer on row-major device buffers, Core's Gemm kernels' layouts
/// (m = rows of the batch, k = layer inputs, n = layer outputs; w is [k, n], h = x·w):
/// <see cref="TiledGemmForms"/> (ILGPU's tiled kernel, fp32, the fallback) and <see cref="BlasGemmForms"/>
/// (column-major sgemm: cuBLAS, or its host twin in tests). Launches are queued on the stream.
/// </summary>
internal interface IGemmForms : IDisposable
{
    /// <summary>"ilgpu tiled", "cublas fp32 (libcublas.so.13)", … for logs and the check's report.</summary>
    string Name { get; }

    /// <summary>y[m,n] = x[m,k] · w[k,n].</summary>
    void Forward(AcceleratorStream stream, ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, int m, int k, int n);

    /// <summary>dW[k,n] = xᵀ[k,m] · dY[m,n], or dW += xᵀ·dY when accumulating.</summary>
    void WeightGradient(AcceleratorStream stream, ArrayView<float> dW, ArrayView<float> x, ArrayView<float> dY, int m, int k, int n, bool accumulate = false);

    /// <summary>dX[m,k] = dY[m,n] · wᵀ[n,k].</summary>
    void InputGradient(AcceleratorStream stream, ArrayView<float> dX, ArrayView<float> dY, ArrayView<float> w, int m, int k, int n);
}

/// <summary>The forms on ILGPU's tiled SGEMM (<see cref="GemmKernel"/>): no library needed, fp32 only.</summary>
internal sealed class TiledGemmForms(GpuKernels kernels) : IGemmForms
{
    public string Name => "ilgpu tiled fp32";

    public void Forward(AcceleratorStream stream, ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, int m, int k, int n) =>
        kernels.Gemm(stream, y, x, w, kernels.Forward(m, k, n));

    public void WeightGradient(AcceleratorStream stream, ArrayView<float> dW, ArrayView<float> x, ArrayView<float> dY, int m, int k, int n, bool accumulate = false) =>
        kernels.Gemm(stream, dW, x, dY, kernels.WeightGradient(m, k, n) with { Accumulate = accumulate ? 1 : 0 });

    public void InputGradient(AcceleratorStream stream, ArrayView<float> dX, ArrayView<float> dY, ArrayView<float> w, int m, int k, int n) =>
        kernels.Gemm(stream, dX, dY, w, kernels.InputGradient(m, k, n));

    public void Dispose()
    {
        // The kernels belong to the runtime.
    }
}

/// <summary>
/// The forms on a column-major <see cref="ISgemm"/>, by the usual transpose trick: a row-major [r, c] buffer is
/// the column-major [c × r] matrix of its transpose, so row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ — the
/// operands swap places and no data moves. Per form (column-major view of each buffer, ld = its row length):
/// forward yᵀ[n×m] = wᵀ[n×k]·xᵀ[k×m]; weight gradient dWᵀ[n×k] = dYᵀ[n×m]·(xᵀ)ᵀ[m×k];
/// input gradient dXᵀ[k×m] = (wᵀ)ᵀ[k×n]·dYᵀ[n×m].
/// </summary>
internal sealed class BlasGemmForms(ISgemm sgemm) : IGemmForms
{
    public string Name => sgemm.Name;

    public void Forward(AcceleratorStream stream, ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, int m, int k, int n) =>
        sgemm.Sgemm(Transpose.None, Transpose.None, n, m, k, 1f, w, Ld(n), x, Ld(k), 0f, y, Ld(n));

    public void WeightGradient(AcceleratorStream stream, ArrayView<float> dW, ArrayView<float> x, ArrayView<float> dY, int m, int k, int n, bool accumulate = false) =>
        sgemm.Sgemm(Transpose.None, Transpose.Transposed, n, k, m, 1f, dY, Ld(n), x, Ld(k), accumulate ? 1f : 0f, dW, Ld(n));

    public void InputGradient(AcceleratorStream stream, ArrayView<float> dX, ArrayView<float> dY, ArrayView<float> w, int m, int k, int n) =>
        sgemm.Sgemm(Transpose.Transposed, Transpose.None, k, m, n, 1f, w, Ld(n), dY, Ld(n), 0f, dX, Ld(k));

    /// <summary>BLAS wants ld ≥ 1 even for an empty matrix.</summary>
    static int Ld(int rowLength) => Math.Max(1, rowLength);

    public void Dispose() => sgemm.Dispose();
}
