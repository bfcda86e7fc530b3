using ILGPU;

namespace Thresher.Gpu;

/// <summary>
/// The shape of one product C[M,N] = A[M,K] · B[K,N] with A and B read through strides, so the three
/// MLP forms share one kernel: A(i,p) = a[i·ARow + p·ACol], B(p,j) = b[p·BRow + j·BCol], C row-major [M,N].
/// Accumulate ≠ 0 adds the product to C (C += A·B) instead of overwriting it.
/// </summary>
internal readonly record struct GemmShape(int M, int N, int K, int ARow, int ACol, int BRow, int BCol, int TileK, int Accumulate = 0)
{
    /// <summary>y[m,n] = x[m,k] · w[k,n].</summary>
    public static GemmShape Forward(int m, int k, int n, int tileK) => new(m, n, k, k, 1, n, 1, tileK);

    /// <summary>dW[k,n] = xᵀ[k,m] · dY[m,n] (inner dimension m).</summary>
    public static GemmShape WeightGradient(int m, int k, int n, int tileK) => new(k, n, m, 1, k, n, 1, tileK);

    /// <summary>dX[m,k] = dY[m,n] · wᵀ[n,k] (inner dimension n).</summary>
    public static GemmShape InputGradient(int m, int k, int n, int tileK) => new(m, k, n, n, 1, 1, n, tileK);
}

/// <summary>Four accumulators of one thread's output row (they live in registers).</summary>
internal struct Float4
{
    public float X, Y, Z, W;

    public static Float4 Fma(Float4 acc, float a, Float4 b) =>
        new() { X = acc.X + a * b.X, Y = acc.Y + a * b.Y, Z = acc.Z + a * b.Z, W = acc.W + a * b.W };
}

/// <summary>
/// Tiled SGEMM on ILGPU. A group of (GX, GY) threads computes a (4·GY) × (4·GX) block of C: each thread owns
/// 4 × 4 outputs, interleaved (rows ty + i·GY, columns tx + j·GX) so shared-memory reads are conflict-free and
/// stores coalesce. The k dimension is walked in slices of TileK staged in dynamic shared memory:
/// As [TileK, 4·GY] then Bs [TileK, 4·GX]. Out-of-range elements load as 0; out-of-range outputs are not stored.
/// </summary>
internal static class GemmKernel
{
    public static void Run(ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, GemmShape s)
    {
        int tx = Group.IdxX, ty = Group.IdxY, gx = Group.DimX, gy = Group.DimY;
        int bm = 4 * gy, bn = 4 * gx, bk = s.TileK;
        int row0 = Grid.IdxY * bm, col0 = Grid.IdxX * bn;
        int thread = ty * gx + tx, threads = gx * gy;
        var shared = SharedMemory.GetDynamic<float>();
        var aTile = shared.SubView(0, bk * bm);        // [bk, bm]
        var bTile = shared.SubView(bk * bm, bk * bn);  // [bk, bn]
        var r0 = default(Float4);
        var r1 = default(Float4);
        var r2 = default(Float4);
        var r3 = default(Float4);
        for (int p0 = 0; p0 < s.K; p0 += bk)
        {
            // Stage A: walk the contiguous dimension of the source across neighbouring threads (coalesced reads).
            for (int e = thread; e < bm * bk; e += threads)
            {
                int r = s.ACol == 1 ? e / bk : e % bm;
                int q = s.ACol == 1 ? e % bk : e / bm;
                int gr = row0 + r, gq = p0 + q;
                aTile[q * bm + r] = gr < s.M && gq < s.K ? a[gr * s.ARow + gq * s.ACol] : 0f;
            }
            for (int e = thread; e < bn * bk; e += threads)
            {
                int j = s.BCol == 1 ? e % bn : e / bk;
                int q = s.BCol == 1 ? e / bn : e % bk;
                int gj = col0 + j, gq = p0 + q;
                bTile[q * bn + j] = gj < s.N && gq < s.K ? b[gq * s.BRow + gj * s.BCol] : 0f;
            }
            Group.Barrier();
            for (int q = 0; q < bk; q++)
            {
                int ai = q * bm + ty, bi = q * bn + tx;
                var bv = new Float4 { X = bTile[bi], Y = bTile[bi + gx], Z = bTile[bi + 2 * gx], W = bTile[bi + 3 * gx] };
                r0 = Float4.Fma(r0, aTile[ai], bv);
                r1 = Float4.Fma(r1, aTile[ai + gy], bv);
                r2 = Float4.Fma(r2, aTile[ai + 2 * gy], bv);
                r3 = Float4.Fma(r3, aTile[ai + 3 * gy], bv);
            }
            Group.Barrier();
        }
        Store(c, s, row0 + ty, col0 + tx, gx, r0);
        Store(c, s, row0 + ty + gy, col0 + tx, gx, r1);
        Store(c, s, row0 + ty + 2 * gy, col0 + tx, gx, r2);
        Store(c, s, row0 + ty + 3 * gy, col0 + tx, gx, r3);
    }

    static void Store(ArrayView<float> c, GemmShape s, int row, int col, int step, Float4 v)
    {
        if (row >= s.M) return;
        int at = row * s.N;
        if (col < s.N) Put(c, at + col, v.X, s.Accumulate);
        if (col + step < s.N) Put(c, at + col + step, v.Y, s.Accumulate);
        if (col + 2 * step < s.N) Put(c, at + col + 2 * step, v.Z, s.Accumulate);
        if (col + 3 * step < s.N) Put(c, at + col + 3 * step, v.W, s.Accumulate);
    }

    static void Put(ArrayView<float> c, int at, float value, int accumulate) => c[at] = accumulate != 0 ? c[at] + value : value;
}
