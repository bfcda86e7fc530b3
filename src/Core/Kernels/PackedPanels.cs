using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        if (buffer is null || buffer.Length < length + 32) // 64-byte alignment (≤ 15 floats) and a 6-row pack's spill (2)
            buffer = GC.AllocateUninitializedArray<float>(length + 32, pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((p + 63) & ~(nint)63);
    }

    /// <summary>
    /// dst[mc/mr panels][kc][mr] ← op(A)[i0 .. i0+mc, p0 .. p0+kc]; rows past mc are zero.
    /// op(A)[r,p] = a[r·lda + p], or a[p·lda + r] when transposed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    public static void PackA(float* dst, float* a, nint lda, bool transposed, int i0, int mc, int p0, int kc, int mr)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (nint)ir * kc;
            if (transposed)
            {
                float* src = a + (nint)p0 * lda + i0 + ir;
                if (rows == mr)
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += mr) CopyPanelRow(panel, src, mr); // mr contiguous floats
                    continue;
                }
                for (int p = 0; p < kc; p++, src += lda, panel += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) panel[r] = src[r];
                    for (; r < mr; r++) panel[r] = 0f;
                }
            }
            else
            {
                // rows 0..7 in 8×8 register transposes; a 6-row panel (6×64 tiles) transposes 8 rows when the 2 past it are in
                // the block, each 8-float store spilling 2 floats that the next store overwrites (the buffer has room for the last)
                int r8 = Avx.IsSupported && (rows >= 8 || (rows == mr && ir + 8 <= mc)) ? Math.Min(8, rows) : 0;
                if (r8 > 0) PackRowsTransposed(panel, a + (nint)(i0 + ir) * lda + p0, lda, kc, mr, r8);
                for (int r = r8; r < rows; r++)
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    public static void PackB(float* dst, float* b, nint ldb, bool transposed, int k, int n, int j0, int j1, int nr)
    {
        if (!transposed)
        {
            PackRowMajorB(dst, b, ldb, k, n, j0, j1, nr);
            return;
        }
        for (int j = j0; j < j1; j += nr)
        {
            int cols = Math.Min(nr, n - j);
            float* panel = dst + (nint)((j - j0) / nr) * k * nr;
            if (cols == nr && Avx.IsSupported)
            {
                PackTransposedPanel(panel, b + (nint)j * ldb, ldb, k, nr);
                continue;
            }
            for (int c = 0; c < cols; c++)
            {
                float* src = b + (nint)(j + c) * ldb;
                for (int p = 0; p < k; p++) panel[p * nr + c] = src[p];
            }
            for (int c = cols; c < nr; c++)
                for (int p = 0; p < k; p++) panel[p * nr + c] = 0f;
        }
    }

    /// <summary>
    /// Row-major op(B): row by row of the source (one sequential stream the hardware prefetcher follows), each row
    /// scattered over the panels. Panel by panel would read NR floats per row at the matrix stride (2 KB for
    /// n = 512), a pattern the prefetcher does not follow: every row a cache miss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void PackRowMajorB(float* dst, float* b, nint ldb, int k, int n, int j0, int j1, int nr)
    {
        int fullEnd = j0 + (Math.Min(j1, n) - j0) / nr * nr; // columns [j0, fullEnd) fill whole panels
        nint panelStride = (nint)k * nr;
        for (int p = 0; p < k; p++)
        {
            float* src = b + p * ldb;
            float* row = dst + (nint)p * nr;
            for (int j = j0; j < fullEnd; j += nr, row += panelStride)
                CopyPanelRow(row, src + j, nr);
            if (fullEnd < j1)
            {
                int c = 0, cols = Math.Min(nr, n - fullEnd);
                for (; c < cols; c++) row[c] = src[fullEnd + c];
                for (; c < nr; c++) row[c] = 0f;
            }
        }
    }

    /// <summary>dst[0..nr) ← src[0..nr): whole vectors inline (a Span copy per 32 floats cost a call and its checks, ~40 % of the pack).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPanelRow(float* dst, float* src, int nr)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; c + 16 <= nr; c += 16) Vector512.Store(Vector512.Load(src + c), dst + c);
        for (; c + 8 <= nr; c += 8) Vector256.Store(Vector256.Load(src + c), dst + c);
        if (c + 4 <= nr) { Vector128.Store(Vector128.Load(src + c), dst + c); c += 4; }
        for (; c < nr; c++) dst[c] = src[c];
    }

    /// <summary>
    /// panel[p·mr + r] ← src[r·lda + p] for rows r &lt; <paramref name="rows"/> (8, or 6 with rows 6 and 7 readable) and
    /// p &lt; kc: 8×8 register transposes, a scalar k tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void PackRowsTransposed(float* panel, float* src, nint lda, int kc, int mr, int rows)
    {
        int k8 = kc & ~7;
        for (int p = 0; p < k8; p += 8)
            Transpose8x8(panel + (nint)p * mr, mr, src + p, lda);
        for (int p = k8; p < kc; p++)
            for (int r = 0; r < rows; r++) panel[(nint)p * mr + r] = src[r * lda + p];
    }

    /// <summary>panel[k][nr] ← src[nr rows, stride ldb][k]ᵀ, in 8×8 blocks transposed in registers (nr % 8 == 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void PackTransposedPanel(float* panel, float* src, nint ldb, int k, int nr)
    {
        int k8 = k & ~7;
        for (int c0 = 0; c0 < nr; c0 += 8)
        {
            float* s = src + c0 * ldb;
            for (int p = 0; p < k8; p += 8)
                Transpose8x8(panel + (nint)p * nr + c0, nr, s + p, ldb);
            for (int p = k8; p < k; p++)
                for (int c = 0; c < 8; c++) panel[(nint)p * nr + c0 + c] = s[c * ldb + p];
        }
    }

    /// <summary>dst[8 rows, stride ldd][8] ← src[8 rows, stride lds][8]ᵀ (unpack, shuffle, 128-bit permute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // fully optimised from the first call: the tuner times first calls
    private static void Transpose8x8(float* dst, nint ldd, float* src, nint lds)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * lds), r3 = Avx.LoadVector256(src + 3 * lds);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * lds), r5 = Avx.LoadVector256(src + 5 * lds);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * lds), r7 = Avx.LoadVector256(src + 7 * lds);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(s3, s7, 0x31));
    }
}
