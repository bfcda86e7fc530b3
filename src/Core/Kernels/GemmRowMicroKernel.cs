// Register tiles that read A in place from its rows (row stride lda, k contiguous) instead of a packed panel.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// Micro-kernels for a narrow C (one column panel, e.g. the n = 10 output layer): packing A would cost as
/// much as the product itself, so the 8 rows of A are broadcast straight from the matrix, one stream per row.
/// Same accumulation order per element as the packed tiles (k ascending), so results are identical.
/// </summary>
internal static unsafe class GemmRowMicroKernel
{
    /// <summary>C[8,16] (+)= A[8 rows, stride lda][kc] · Bp[kc,16].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x16(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* a4 = a + 4 * lda, a5 = a + 5 * lda, a6 = a + 6 * lda, a7 = a + 7 * lda;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[p]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[p]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[p]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[p]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[p]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[p]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a6[p]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a7[p]), b0, c7);
            b += ldb;
        }
        GemmMicroKernel.Put(c0, c, overwrite);
        GemmMicroKernel.Put(c1, c + ldc, overwrite);
        GemmMicroKernel.Put(c2, c + 2 * ldc, overwrite);
        GemmMicroKernel.Put(c3, c + 3 * ldc, overwrite);
        GemmMicroKernel.Put(c4, c + 4 * ldc, overwrite);
        GemmMicroKernel.Put(c5, c + 5 * ldc, overwrite);
        GemmMicroKernel.Put(c6, c + 6 * ldc, overwrite);
        GemmMicroKernel.Put(c7, c + 7 * ldc, overwrite);
    }

    /// <summary>C[8,32] (+)= A[8 rows, stride lda][kc] · Bp[kc,32].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x32(float* a, nint lda, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* a4 = a + 4 * lda, a5 = a + 5 * lda, a6 = a + 6 * lda, a7 = a + 7 * lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[p]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[p]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            b += ldb;
        }
        Put2(c00, c01, c, overwrite);
        Put2(c10, c11, c + ldc, overwrite);
        Put2(c20, c21, c + 2 * ldc, overwrite);
        Put2(c30, c31, c + 3 * ldc, overwrite);
        Put2(c40, c41, c + 4 * ldc, overwrite);
        Put2(c50, c51, c + 5 * ldc, overwrite);
        Put2(c60, c61, c + 6 * ldc, overwrite);
        Put2(c70, c71, c + 7 * ldc, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put2(Vector512<float> lo, Vector512<float> hi, float* dst, bool overwrite)
    {
        GemmMicroKernel.Put(lo, dst, overwrite);
        GemmMicroKernel.Put(hi, dst + 16, overwrite);
    }
}
