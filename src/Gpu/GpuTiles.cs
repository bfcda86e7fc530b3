namespace Thresher.Gpu;

/// <summary>
/// Launch geometry of the ILGPU kernels. Defaults suit a datacenter GPU; tests use tiny tiles on ILGPU's
/// CPU accelerator (whose groups hold at most warp size × warps threads).
/// </summary>
public sealed record GpuTiles
{
    /// <summary>GEMM group width in threads (≥ 1); a group computes 4·GroupX output columns. Default 16.</summary>
    public int GroupX { get; init; } = 16;

    /// <summary>GEMM group height in threads (≥ 1); a group computes 4·GroupY output rows. Default 16.</summary>
    public int GroupY { get; init; } = 16;

    /// <summary>GEMM k-slice staged in shared memory per iteration (≥ 1). Default 16 (8 KiB of shared memory at 16×16).</summary>
    public int TileK { get; init; } = 16;

    /// <summary>Rows each thread of the bias-gradient kernel sums (≥ 1). Default 64.</summary>
    public int BiasChunkRows { get; init; } = 64;

    /// <summary>Threads of the one-group loss reduction; a power of two ≥ 1. Default 256.</summary>
    public int ReduceGroup { get; init; } = 256;

    /// <summary>Threads per group of the element-wise kernels (≥ 1). Default 256.</summary>
    public int ElementGroup { get; init; } = 256;

    /// <summary>Throws ArgumentException naming the bad value and the accepted range.</summary>
    public void Validate(int maxGroupSize)
    {
        Check(GroupX >= 1 && GroupY >= 1 && GroupX * GroupY <= maxGroupSize, $"GEMM group {GroupX}x{GroupY}: needs 1..{maxGroupSize} threads");
        Check(TileK >= 1, $"TileK {TileK}: must be ≥ 1");
        Check(BiasChunkRows >= 1, $"BiasChunkRows {BiasChunkRows}: must be ≥ 1");
        Check(ReduceGroup >= 1 && ReduceGroup <= maxGroupSize && (ReduceGroup & (ReduceGroup - 1)) == 0, $"ReduceGroup {ReduceGroup}: must be a power of two in 1..{maxGroupSize}");
        Check(ElementGroup >= 1 && ElementGroup <= maxGroupSize, $"ElementGroup {ElementGroup}: must be in 1..{maxGroupSize}");
    }

    static void Check(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }
}
