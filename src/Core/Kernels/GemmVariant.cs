namespace Thresher.Core.Kernels;

/// <summary>
/// How one blocked GEMM call reads its operands. Every variant adds the same products in the same order into
/// every element of C (k ascending within a k block, blocks in order), so all variants give bit-identical
/// results: which one runs is a question of speed only, answered per machine by <see cref="GemmTuner"/>.
/// </summary>
/// <param name="PackA">Copy each MR-row micro-panel of op(A) into a contiguous buffer (else broadcast A straight
/// from its rows; Vector512 tiles only).</param>
/// <param name="PackB">Copy each KC×NR block of op(B) into a contiguous L1-sized panel (else read full panels of
/// a row-major B in place, with the matrix row stride: no copy, but a large stride can alias in L1).</param>
/// <param name="Tall">12-row register tiles instead of 8 (Vector512, packed A, 32-column panels): 24 accumulators,
/// fewer loads per FMA, ragged last tiles more often.</param>
/// <param name="Wide">6×64 register tiles over 64-column panels (Vector512, packed A, n over 32): 24 accumulators fed by
/// 10 loads per k step instead of 14, but a B panel twice as large (kc×64); see <see cref="GemmWideMicroKernel"/>.</param>
internal readonly record struct GemmVariant(bool PackA, bool PackB, bool Tall = false, bool Wide = false)
{
    /// <summary>Packs both operands, 8-row tiles: valid for every shape and width.</summary>
    public static readonly GemmVariant PackBoth = new(true, true);

    /// <summary>The variants valid for a call: B in place only when op(B) is row-major, A in place only on Vector512.</summary>
    public static IEnumerable<GemmVariant> Candidates(bool bTransposed, bool use512)
    {
        foreach (bool packB in bTransposed ? [true] : new[] { true, false })
        {
            foreach (bool packA in use512 ? [true, false] : new[] { true })
                yield return new GemmVariant(packA, packB);
            if (use512) yield return new GemmVariant(true, packB, Tall: true);
            if (use512) yield return new GemmVariant(true, packB, Wide: true);
        }
    }

    public override string ToString() =>
        $"{(Wide ? "6×64" : Tall ? "12-row" : "8-row")} tiles, A {(PackA ? "packed" : "in place")}, B {(PackB ? "packed" : "in place")}";
}
