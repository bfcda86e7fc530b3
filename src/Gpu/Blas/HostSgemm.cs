using ILGPU;
using ILGPU.Runtime;

namespace Thresher.Gpu;

/// <summary>
/// The naive twin of <see cref="CublasSgemm"/>: the textbook column-major sgemm loop on the host, over buffers of
/// ILGPU's CPU accelerator (whose device memory is host memory). It takes cuBLAS's exact arguments, so tests run
/// the row-major ↔ column-major mapping (<see cref="BlasGemmForms"/>) and whole steps through it without a GPU.
/// Each call first waits for the stream, so it sees the kernels queued before it.
/// </summary>
internal sealed unsafe class HostSgemm : ISgemm
{
    readonly AcceleratorStream _stream;

    public HostSgemm(AcceleratorStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.Accelerator.AcceleratorType != AcceleratorType.CPU)
            throw new ArgumentException($"the host sgemm reads device memory directly: it needs ILGPU's CPU accelerator, not {stream.Accelerator.AcceleratorType}", nameof(stream));
        _stream = stream;
    }

    public string Name => "host sgemm (naive column-major twin)";

    public void Sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc)
    {
        SgemmArguments.Check(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        _stream.Synchronize();
        if (m == 0 || n == 0) return;
        float* pa = (float*)(k > 0 ? a.LoadEffectiveAddressAsPtr() : 0);
        float* pb = (float*)(k > 0 ? b.LoadEffectiveAddressAsPtr() : 0);
        float* pc = (float*)c.LoadEffectiveAddressAsPtr();
        bool ta = transA == Transpose.Transposed, tb = transB == Transpose.Transposed;
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float aip = ta ? pa[p + (long)i * lda] : pa[i + (long)p * lda];  // op(A)(i, p)
                    float bpj = tb ? pb[j + (long)p * ldb] : pb[p + (long)j * ldb];  // op(B)(p, j)
                    sum += aip * bpj;
                }
                long at = i + (long)j * ldc;
                pc[at] = beta == 0f ? alpha * sum : alpha * sum + beta * pc[at];
            }
        }
    }

    public void Dispose()
    {
        // Owns nothing.
    }
}
