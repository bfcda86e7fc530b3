using ILGPU;

namespace Thresher.Gpu;

/// <summary>Whether sgemm reads an operand as stored or transposed (the values of cuBLAS's cublasOperation_t).</summary>
public enum Transpose
{
    None = 0,
    Transposed = 1,
}

/// <summary>
/// BLAS's column-major single-precision GEMM on device buffers:
/// C = α·op(A)·op(B) + β·C with op(A) [m×k], op(B) [k×n], C [m×n]. Element (i, j) of a column-major matrix X
/// with leading dimension ldx lies at x[i + j·ldx]. A is stored [m×k] (lda ≥ m), or [k×m] (lda ≥ k) when
/// transposed; likewise B. β = 0 overwrites C without reading it (BLAS's rule: NaN in C does not leak).
/// Implementations: cuBLAS (<see cref="CublasSgemm"/>) and the naive host twin (<see cref="HostSgemm"/>), which
/// tests run on ILGPU's CPU accelerator. Calls are queued in order on the implementation's stream.
/// </summary>
internal interface ISgemm : IDisposable
{
    /// <summary>"cublas fp32", "host twin", …, for logs.</summary>
    string Name { get; }

    void Sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha, ArrayView<float> a, int lda,
        ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc);
}

/// <summary>The argument rules every <see cref="ISgemm"/> checks at its entry (BLAS's xerbla rules plus buffer lengths).</summary>
internal static class SgemmArguments
{
    public static void Check(Transpose transA, Transpose transB, int m, int n, int k, long aLength, int lda, long bLength, int ldb, long cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"sgemm m={m} n={n} k={k}: must be ≥ 0");
        int aRows = transA == Transpose.None ? m : k, aCols = transA == Transpose.None ? k : m;
        int bRows = transB == Transpose.None ? k : n, bCols = transB == Transpose.None ? n : k;
        Operand("A", aRows, aCols, lda, aLength);
        Operand("B", bRows, bCols, ldb, bLength);
        Operand("C", m, n, ldc, cLength);
    }

    /// <summary>A stored column-major [rows×cols] with leading dimension ld needs ld ≥ max(1, rows) and (cols−1)·ld + rows elements.</summary>
    static void Operand(string name, int rows, int cols, int ld, long length)
    {
        if (ld < Math.Max(1, rows))
            throw new ArgumentOutOfRangeException(nameof(ld), ld, $"sgemm: ld{name.ToLowerInvariant()} {ld} < max(1, {rows}) rows of {name}");
        long needed = rows == 0 || cols == 0 ? 0 : (long)(cols - 1) * ld + rows;
        if (length < needed)
            throw new ArgumentException($"sgemm: {name} [{rows}×{cols}, ld {ld}] needs {needed} floats, the buffer has {length}");
    }
}
