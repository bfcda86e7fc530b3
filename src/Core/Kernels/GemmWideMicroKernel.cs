// The 6×64 register tile: 4 Vector512 of B per k step instead of 2, so 10 loads feed 24 FMAs (12×32: 14).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Thresher.Core.Kernels;

/// <summary>
/// A wide register tile for <see cref="GemmVariant.Wide"/>: C[6,64] over 64-column panels. Per k step it loads four
/// vectors of B and broadcasts six of A, so loads per FMA fall from 0.58 (12×32) to 0.42, at the price of a
/// kc×64 B panel (50 KB at kc = 196) that no longer fits an L1 of 32 or 48 KiB: whether that pays depends on the
/// CPU's L2 bandwidth, which is why it is a candidate the tuner times, not a default.
/// Same accumulation order per element as every other tile (k ascending), so results are identical.
/// </summary>
internal static unsafe class GemmWideMicroKernel
{
    /// <summary>C[6,64] (+)= Ap[kc,6]ᵀ-panel · Bp[kc,64] — 6 rows × 4 Vector512 of accumulators (24 of the 32 registers);
    /// k unrolled by two. Ap: 6 floats per k step (packed); Bp: row stride ldb (64 packed, the matrix row stride in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile6x64(float* a, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default, c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default, c40 = default, c41 = default, c42 = default, c43 = default, c50 = default, c51 = default, c52 = default, c53 = default;
        Vector512<float> b0, b1, b2, b3, ar;
        PrefetchRows(c, ldc, 6); // C's 24 lines arrive while the k loop runs, not when the tile is stored (C can be past L2)
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            b0 = Vector512.Load(b); b1 = Vector512.Load(b + 16); b2 = Vector512.Load(b + 32); b3 = Vector512.Load(b + 48);
            ar = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01); c02 = Vector512.FusedMultiplyAdd(ar, b2, c02); c03 = Vector512.FusedMultiplyAdd(ar, b3, c03);
            ar = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11); c12 = Vector512.FusedMultiplyAdd(ar, b2, c12); c13 = Vector512.FusedMultiplyAdd(ar, b3, c13);
            ar = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21); c22 = Vector512.FusedMultiplyAdd(ar, b2, c22); c23 = Vector512.FusedMultiplyAdd(ar, b3, c23);
            ar = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31); c32 = Vector512.FusedMultiplyAdd(ar, b2, c32); c33 = Vector512.FusedMultiplyAdd(ar, b3, c33);
            ar = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41); c42 = Vector512.FusedMultiplyAdd(ar, b2, c42); c43 = Vector512.FusedMultiplyAdd(ar, b3, c43);
            ar = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51); c52 = Vector512.FusedMultiplyAdd(ar, b2, c52); c53 = Vector512.FusedMultiplyAdd(ar, b3, c53);
            b0 = Vector512.Load(b + ldb); b1 = Vector512.Load(b + ldb + 16); b2 = Vector512.Load(b + ldb + 32); b3 = Vector512.Load(b + ldb + 48);
            ar = Vector512.Create(a[6]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01); c02 = Vector512.FusedMultiplyAdd(ar, b2, c02); c03 = Vector512.FusedMultiplyAdd(ar, b3, c03);
            ar = Vector512.Create(a[7]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11); c12 = Vector512.FusedMultiplyAdd(ar, b2, c12); c13 = Vector512.FusedMultiplyAdd(ar, b3, c13);
            ar = Vector512.Create(a[8]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21); c22 = Vector512.FusedMultiplyAdd(ar, b2, c22); c23 = Vector512.FusedMultiplyAdd(ar, b3, c23);
            ar = Vector512.Create(a[9]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31); c32 = Vector512.FusedMultiplyAdd(ar, b2, c32); c33 = Vector512.FusedMultiplyAdd(ar, b3, c33);
            ar = Vector512.Create(a[10]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41); c42 = Vector512.FusedMultiplyAdd(ar, b2, c42); c43 = Vector512.FusedMultiplyAdd(ar, b3, c43);
            ar = Vector512.Create(a[11]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51); c52 = Vector512.FusedMultiplyAdd(ar, b2, c52); c53 = Vector512.FusedMultiplyAdd(ar, b3, c53);
            a += 12;
            b += 2 * ldb;
        }
        if (p < kc)
        {
            b0 = Vector512.Load(b); b1 = Vector512.Load(b + 16); b2 = Vector512.Load(b + 32); b3 = Vector512.Load(b + 48);
            ar = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01); c02 = Vector512.FusedMultiplyAdd(ar, b2, c02); c03 = Vector512.FusedMultiplyAdd(ar, b3, c03);
            ar = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11); c12 = Vector512.FusedMultiplyAdd(ar, b2, c12); c13 = Vector512.FusedMultiplyAdd(ar, b3, c13);
            ar = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21); c22 = Vector512.FusedMultiplyAdd(ar, b2, c22); c23 = Vector512.FusedMultiplyAdd(ar, b3, c23);
            ar = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31); c32 = Vector512.FusedMultiplyAdd(ar, b2, c32); c33 = Vector512.FusedMultiplyAdd(ar, b3, c33);
            ar = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(ar, b0, c40); c41 = Vector512.FusedMultiplyAdd(ar, b1, c41); c42 = Vector512.FusedMultiplyAdd(ar, b2, c42); c43 = Vector512.FusedMultiplyAdd(ar, b3, c43);
            ar = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(ar, b0, c50); c51 = Vector512.FusedMultiplyAdd(ar, b1, c51); c52 = Vector512.FusedMultiplyAdd(ar, b2, c52); c53 = Vector512.FusedMultiplyAdd(ar, b3, c53);
        }
        Put4(c00, c01, c02, c03, c + 0 * ldc, overwrite);
        Put4(c10, c11, c12, c13, c + 1 * ldc, overwrite);
        Put4(c20, c21, c22, c23, c + 2 * ldc, overwrite);
        Put4(c30, c31, c32, c33, c + 3 * ldc, overwrite);
        Put4(c40, c41, c42, c43, c + 4 * ldc, overwrite);
        Put4(c50, c51, c52, c53, c + 5 * ldc, overwrite);
    }

    /// <summary>
    /// The ragged last tile of a 6-row block: C[R,64] (+)= Ap[kc,6]ᵀ-panel rows 0..R · Bp[kc,64], R = 2 or 4
    /// (<typeparamref name="TRows"/>, a constant the JIT folds). A full 6×64 tile there costs a whole tile for 2 or 4 rows
    /// of work (m = 128 and 512 end in 2 rows, 64 and 784 in 4); this one costs R/6 of it. A keeps the packed panel's
    /// 6-float k step (the rows past R are its zero padding, never read). Same k order per element: same results.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TailTile<TRows>(float* a, float* b, nint ldb, float* c, nint ldc, int kc, bool overwrite)
        where TRows : struct, ITileRows
    {
        bool four = TRows.Count == 4;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        PrefetchRows(c, ldc, TRows.Count);
        for (int p = 0; p < kc; p++, a += 6, b += ldb)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), b2 = Vector512.Load(b + 32), b3 = Vector512.Load(b + 48);
            Vector512<float> ar = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(ar, b0, c00); c01 = Vector512.FusedMultiplyAdd(ar, b1, c01); c02 = Vector512.FusedMultiplyAdd(ar, b2, c02); c03 = Vector512.FusedMultiplyAdd(ar, b3, c03);
            ar = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(ar, b0, c10); c11 = Vector512.FusedMultiplyAdd(ar, b1, c11); c12 = Vector512.FusedMultiplyAdd(ar, b2, c12); c13 = Vector512.FusedMultiplyAdd(ar, b3, c13);
            if (!four) continue;
            ar = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(ar, b0, c20); c21 = Vector512.FusedMultiplyAdd(ar, b1, c21); c22 = Vector512.FusedMultiplyAdd(ar, b2, c22); c23 = Vector512.FusedMultiplyAdd(ar, b3, c23);
            ar = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(ar, b0, c30); c31 = Vector512.FusedMultiplyAdd(ar, b1, c31); c32 = Vector512.FusedMultiplyAdd(ar, b2, c32); c33 = Vector512.FusedMultiplyAdd(ar, b3, c33);
        }
        Put4(c00, c01, c02, c03, c, overwrite);
        Put4(c10, c11, c12, c13, c + ldc, overwrite);
        if (!four) return;
        Put4(c20, c21, c22, c23, c + 2 * ldc, overwrite);
        Put4(c30, c31, c32, c33, c + 3 * ldc, overwrite);
    }

    /// <summary>The rows a tile of a 6×64 plan computes for <paramref name="rows"/> real rows: 2, 4 or 6.</summary>
    public static int TileRows(int rows) => rows <= 2 ? 2 : rows <= 4 ? 4 : 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchRows(float* c, nint ldc, int rows)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < rows; r++, c += ldc)
        {
            Sse.Prefetch0(c);
            Sse.Prefetch0(c + 16);
            Sse.Prefetch0(c + 32);
            Sse.Prefetch0(c + 48);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put4(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, float* dst, bool overwrite)
    {
        GemmMicroKernel.Put(v0, dst, overwrite);
        GemmMicroKernel.Put(v1, dst + 16, overwrite);
        GemmMicroKernel.Put(v2, dst + 32, overwrite);
        GemmMicroKernel.Put(v3, dst + 48, overwrite);
    }
}

/// <summary>A tail tile's row count as a type, so the JIT compiles one specialised kernel per count.</summary>
internal interface ITileRows { static abstract int Count { get; } }

internal struct TwoTileRows : ITileRows { public static int Count => 2; }

internal struct FourTileRows : ITileRows { public static int Count => 4; }
