// One method per register tile. Ap is [kc][MR] (MR rows interleaved per k; the wide tiles take the k step, so xᵀ can be read in place), Bp is [kc][NR] with row stride ldb
// (NR for a packed panel, the matrix row stride when B is read in place).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// Register-tiled GEMM micro-kernels over packed panels: per k step, NR/W vector loads of B, MR broadcasts
/// of A and MR·NR/W fused multiply-adds into accumulators that never leave registers.
/// overwrite: store the tile (first k block without accumulate); otherwise add it to C.
/// </summary>
internal static unsafe class GemmMicroKernel
{
    /// <summary>C[8,32] (+)= Ap[kc,8]ᵀ-panel · Bp[kc,32] — 8 rows × 2 Vector512 of accumulators; k unrolled by two.
    /// aStep: floats between A's k steps (8 for a packed panel; lda when A is xᵀ read in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x32(float* a, nint aStep, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<float> b0, b1, ar;
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            b0 = Vector512.Load(b); b1 = Vector512.Load(b + 16);
            ar = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(ar, b0, c60); c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(ar, b0, c70); c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);
            b0 = Vector512.Load(b + ldb); b1 = Vector512.Load(b + ldb + 16);
            ar = Vector512.Create(a[aStep + 0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[aStep + 1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[aStep + 2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[aStep + 3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[aStep + 4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[aStep + 5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[aStep + 6]); c60 = Vector512.FusedMultiplyAdd(ar, b0, c60); c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[aStep + 7]); c70 = Vector512.FusedMultiplyAdd(ar, b0, c70); c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);
            a += 2 * aStep;
            b += 2 * ldb;
        }
        if (p < kc)
        {
            b0 = Vector512.Load(b); b1 = Vector512.Load(b + 16);
            ar = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(ar, b0, c60); c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(ar, b0, c70); c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);
        }
        Put(c00, c + 0 * ldc, overwrite); Put(c01, c + 0 * ldc + 16, overwrite);
        Put(c10, c + 1 * ldc, overwrite); Put(c11, c + 1 * ldc + 16, overwrite);
        Put(c20, c + 2 * ldc, overwrite); Put(c21, c + 2 * ldc + 16, overwrite);
        Put(c30, c + 3 * ldc, overwrite); Put(c31, c + 3 * ldc + 16, overwrite);
        Put(c40, c + 4 * ldc, overwrite); Put(c41, c + 4 * ldc + 16, overwrite);
        Put(c50, c + 5 * ldc, overwrite); Put(c51, c + 5 * ldc + 16, overwrite);
        Put(c60, c + 6 * ldc, overwrite); Put(c61, c + 6 * ldc + 16, overwrite);
        Put(c70, c + 7 * ldc, overwrite); Put(c71, c + 7 * ldc + 16, overwrite);
    }

    /// <summary>C[12,32] (+)= Ap[kc,12]ᵀ-panel · Bp[kc,32] — 12 rows × 2 Vector512 of accumulators (24 of the 32 registers):
    /// fewer loads and less loop overhead per FMA than 8×32; k unrolled by two (aStep as in Tile8x32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile12x32(float* a, nint aStep, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default, c90 = default, c91 = default, c100 = default, c101 = default, c110 = default, c111 = default;
        Vector512<float> b0, b1, ar;
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            b0 = Vector512.Load(b); b1 = Vector512.Load(b + 16);
            ar = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(ar, b0, c60); c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(ar, b0, c70); c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);
            ar = Vector512.Create(a[8]); c80 = Vector512.FusedMultiplyAdd(ar, b0, c80); c81 = Vector512.FusedMultiplyAdd(ar, b1, c81);
            ar = Vector512.Create(a[9]); c90 = Vector512.FusedMultiplyAdd(ar, b0, c90); c91 = Vector512.FusedMultiplyAdd(ar, b1, c91);
            ar = Vector512.Create(a[10]); c100 = Vector512.FusedMultiplyAdd(ar, b0, c100); c101 = Vector512.FusedMultiplyAdd(ar, b1, c101);
            ar = Vector512.Create(a[11]); c110 = Vector512.FusedMultiplyAdd(ar, b0, c110); c111 = Vector512.FusedMultiplyAdd(ar, b1, c111);
            b0 = Vector512.Load(b + ldb); b1 = Vector512.Load(b + ldb + 16);
            ar = Vector512.Create(a[aStep + 0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[aStep + 1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[aStep + 2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[aStep + 3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[aStep + 4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[aStep + 5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[aStep + 6]); c60 = Vector512.FusedMultiplyAdd(ar, b0, c60); c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[aStep + 7]); c70 = Vector512.FusedMultiplyAdd(ar, b0, c70); c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);
            ar = Vector512.Create(a[aStep + 8]); c80 = Vector512.FusedMultiplyAdd(ar, b0, c80); c81 = Vector512.FusedMultiplyAdd(ar, b1, c81);
            ar = Vector512.Create(a[aStep + 9]); c90 = Vector512.FusedMultiplyAdd(ar, b0, c90); c91 = Vector512.FusedMultiplyAdd(ar, b1, c91);
            ar = Vector512.Create(a[aStep + 10]); c100 = Vector512.FusedMultiplyAdd(ar, b0, c100); c101 = Vector512.FusedMultiplyAdd(ar, b1, c101);
            ar = Vector512.Create(a[aStep + 11]); c110 = Vector512.FusedMultiplyAdd(ar, b0, c110); c111 = Vector512.FusedMultiplyAdd(ar, b1, c111);
            a += 2 * aStep;
            b += 2 * ldb;
        }
        if (p < kc)
        {
            b0 = Vector512.Load(b); b1 = Vector512.Load(b + 16);
            ar = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01);
            ar = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11);
            ar = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21);
            ar = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31);
            ar = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41);
            ar = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51);
            ar = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(ar, b0, c60); c61 = Vector512.FusedMultiplyAdd(ar, b1, c61);
            ar = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(ar, b0, c70); c71 = Vector512.FusedMultiplyAdd(ar, b1, c71);
            ar = Vector512.Create(a[8]); c80 = Vector512.FusedMultiplyAdd(ar, b0, c80); c81 = Vector512.FusedMultiplyAdd(ar, b1, c81);
            ar = Vector512.Create(a[9]); c90 = Vector512.FusedMultiplyAdd(ar, b0, c90); c91 = Vector512.FusedMultiplyAdd(ar, b1, c91);
            ar = Vector512.Create(a[10]); c100 = Vector512.FusedMultiplyAdd(ar, b0, c100); c101 = Vector512.FusedMultiplyAdd(ar, b1, c101);
            ar = Vector512.Create(a[11]); c110 = Vector512.FusedMultiplyAdd(ar, b0, c110); c111 = Vector512.FusedMultiplyAdd(ar, b1, c111);
        }
        Put(c00, c + 0 * ldc, overwrite); Put(c01, c + 0 * ldc + 16, overwrite);
        Put(c10, c + 1 * ldc, overwrite); Put(c11, c + 1 * ldc + 16, overwrite);
        Put(c20, c + 2 * ldc, overwrite); Put(c21, c + 2 * ldc + 16, overwrite);
        Put(c30, c + 3 * ldc, overwrite); Put(c31, c + 3 * ldc + 16, overwrite);
        Put(c40, c + 4 * ldc, overwrite); Put(c41, c + 4 * ldc + 16, overwrite);
        Put(c50, c + 5 * ldc, overwrite); Put(c51, c + 5 * ldc + 16, overwrite);
        Put(c60, c + 6 * ldc, overwrite); Put(c61, c + 6 * ldc + 16, overwrite);
        Put(c70, c + 7 * ldc, overwrite); Put(c71, c + 7 * ldc + 16, overwrite);
        Put(c80, c + 8 * ldc, overwrite); Put(c81, c + 8 * ldc + 16, overwrite);
        Put(c90, c + 9 * ldc, overwrite); Put(c91, c + 9 * ldc + 16, overwrite);
        Put(c100, c + 10 * ldc, overwrite); Put(c101, c + 10 * ldc + 16, overwrite);
        Put(c110, c + 11 * ldc, overwrite); Put(c111, c + 11 * ldc + 16, overwrite);
    }

    /// <summary>C[8,16] (+)= Ap[kc,8]ᵀ-panel · Bp[kc,16] — 8 rows × 1 Vector512 of accumulators (aStep as in Tile8x32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile8x16(float* a, nint aStep, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        Vector512<float> c00 = default, c10 = default, c20 = default, c30 = default, c40 = default, c50 = default, c60 = default, c70 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70);
            a += aStep;
            b += ldb;
        }
        float* c0 = c;
        Put(c00, c0 + 0, overwrite);
        float* c1 = c + 1 * ldc;
        Put(c10, c1 + 0, overwrite);
        float* c2 = c + 2 * ldc;
        Put(c20, c2 + 0, overwrite);
        float* c3 = c + 3 * ldc;
        Put(c30, c3 + 0, overwrite);
        float* c4 = c + 4 * ldc;
        Put(c40, c4 + 0, overwrite);
        float* c5 = c + 5 * ldc;
        Put(c50, c5 + 0, overwrite);
        float* c6 = c + 6 * ldc;
        Put(c60, c6 + 0, overwrite);
        float* c7 = c + 7 * ldc;
        Put(c70, c7 + 0, overwrite);
    }

    /// <summary>C[6,16] (+)= Ap[kc,6]ᵀ-panel · Bp[kc,16] — 6 rows × 2 Vector256 of accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x16(float* a, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += ldb;
        }
        float* c0 = c;
        Put(c00, c0 + 0, overwrite); Put(c01, c0 + 8, overwrite);
        float* c1 = c + 1 * ldc;
        Put(c10, c1 + 0, overwrite); Put(c11, c1 + 8, overwrite);
        float* c2 = c + 2 * ldc;
        Put(c20, c2 + 0, overwrite); Put(c21, c2 + 8, overwrite);
        float* c3 = c + 3 * ldc;
        Put(c30, c3 + 0, overwrite); Put(c31, c3 + 8, overwrite);
        float* c4 = c + 4 * ldc;
        Put(c40, c4 + 0, overwrite); Put(c41, c4 + 8, overwrite);
        float* c5 = c + 5 * ldc;
        Put(c50, c5 + 0, overwrite); Put(c51, c5 + 8, overwrite);
    }

    /// <summary>C[6,8] (+)= Ap[kc,6]ᵀ-panel · Bp[kc,8] — 6 rows × 1 Vector256 of accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x8(float* a, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        Vector256<float> c00 = default, c10 = default, c20 = default, c30 = default, c40 = default, c50 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            a += 6;
            b += ldb;
        }
        float* c0 = c;
        Put(c00, c0 + 0, overwrite);
        float* c1 = c + 1 * ldc;
        Put(c10, c1 + 0, overwrite);
        float* c2 = c + 2 * ldc;
        Put(c20, c2 + 0, overwrite);
        float* c3 = c + 3 * ldc;
        Put(c30, c3 + 0, overwrite);
        float* c4 = c + 4 * ldc;
        Put(c40, c4 + 0, overwrite);
        float* c5 = c + 5 * ldc;
        Put(c50, c5 + 0, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Put(Vector512<float> v, float* dst, bool overwrite)
    {
        if (!overwrite) v += Vector512.Load(dst);
        v.Store(dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> v, float* dst, bool overwrite)
    {
        if (!overwrite) v += Vector256.Load(dst);
        v.Store(dst);
    }
}
