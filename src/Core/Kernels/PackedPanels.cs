using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Thresher.Core.Kernels;

/// <summary>
/// Packs GEMM operands into the panel layouts the micro-kernels stream through, zero-padding the edges so
/// every tile runs at full width. op(A) is [M,K], op(B) is [K,N]; "transposed" means the source stores the
/// operand's transpose in row-major order (xᵀ for WeightGradient, wᵀ for InputGradient).
/// Buffers are pinned per-thread arrays, 64-byte aligned, grown on demand and never freed (no allocation per call).
/// </summary>
internal static unsafe class PackedPanels
{
    [ThreadStatic] private static float[]? t_a;
    [ThreadStatic] private static float[]? t_b;

    /// <summary>This thread's A block buffer, at least <paramref name="length"/> floats.</summary>
    public static float* RentA(int length) => Rent(ref t_a, length);

    /// <summary>This thread's B panel buffer, at least <paramref name="length"/> floats.</summary>
    public static float* RentB(int length) => Rent(ref t_b, length);

    private static float* Rent(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length + 16)
            buffer = GC.AllocateUninitializedArray<float>(length + 16, pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((p + 63) & ~(nint)63);
    }

    /// <summary>
    /// dst[mc/mr panels][kc][mr] ← op(A)[i0 .. i0+mc, p0 .. p0+kc]; rows past mc are zero.
    /// op(A)[r,p] = a[r·lda + p], or a[p·lda + r] when transposed.
    /// </summary>
    public static void PackA(float* dst, float* a, nint lda, bool transposed, int i0, int mc, int p0, int kc, int mr)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (nint)ir * kc;
            if (transposed)
            {
                float* src = a + (nint)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++, src += lda, panel += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) panel[r] = src[r];
                    for (; r < mr; r++) panel[r] = 0f;
                }
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (nint)(i0 + ir + r) * lda + p0;
                    for (int p = 0; p < kc; p++) panel[p * mr + r] = src[p];
                }
                for (int r = rows; r < mr; r++)
                    for (int p = 0; p < kc; p++) panel[p * mr + r] = 0f;
            }
        }
    }

    /// <summary>
    /// dst[panels][k][nr] ← op(B)[0 .. k, j0 .. j1), one panel per nr columns starting at j0 (dst is j0's panel);
    /// columns past n are zero. op(B)[p,c] = b[p·ldb + c], or b[c·ldb + p] when transposed.
    /// </summary>
    public static void PackB(float* dst, float* b, nint ldb, bool transposed, int k, int n, int j0, int j1, int nr)
    {
        for (int j = j0; j < j1; j += nr)
        {
            int cols = Math.Min(nr, n - j);
            float* panel = dst + (nint)((j - j0) / nr) * k * nr;
            if (transposed)
            {
                for (int c = 0; c < cols; c++)
                {
                    float* src = b + (nint)(j + c) * ldb;
                    for (int p = 0; p < k; p++) panel[p * nr + c] = src[p];
                }
                for (int c = cols; c < nr; c++)
                    for (int p = 0; p < k; p++) panel[p * nr + c] = 0f;
            }
            else
            {
                float* src = b + j;
                for (int p = 0; p < k; p++, src += ldb, panel += nr)
                {
                    if (cols == nr) new ReadOnlySpan<float>(src, nr).CopyTo(new Span<float>(panel, nr));
                    else
                    {
                        int c = 0;
                        for (; c < cols; c++) panel[c] = src[c];
                        for (; c < nr; c++) panel[c] = 0f;
                    }
                }
            }
        }
    }
}
