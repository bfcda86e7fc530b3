using Thresher.Core.Kernels;

namespace Thresher.GemmLab;

/// <summary>The pieces of a layer-1 GEMM on their own: packing each operand, and each register tile with its operands cached.</summary>
internal static unsafe class Parts
{
    public static void Run(int reps)
    {
        var src = GC.AllocateUninitializedArray<float>(784 * 512, pinned: true);
        var dst = GC.AllocateUninitializedArray<float>(784 * 512 + 64, pinned: true);
        fixed (float* s = src, d = dst)
        {
            float* ps = s, pd = d;
            Print("pack B = w[784,512] (forward)", ThreadClock.Best(reps, () => PackedPanels.PackB(pd, ps, 512, false, 784, 512, 0, 512, 32)));
            Print("pack A = x[128,784], 6-row panels", ThreadClock.Best(reps, () => PackAll(pd, ps, false, 6)));
            Print("pack A = x[128,784], 12-row panels", ThreadClock.Best(reps, () => PackAll(pd, ps, false, 12)));
            Print("pack A = xᵀ[784,128], 6-row panels (weight-gradient)", ThreadClock.Best(reps, () => PackAll(pd, ps, true, 6)));
            Print("copy 1.6 MB (memcpy)", ThreadClock.Best(reps, () => new Span<float>(ps, 784 * 512).CopyTo(new Span<float>(pd, 784 * 512))));
            const int kc = 196, tiles = 100;
            Tile("tile 6×64, kc 196", 6 * 64, ThreadClock.Best(reps, () => { for (int i = 0; i < tiles; i++) GemmWideMicroKernel.Tile6x64(ps, ps + 8192, 64, pd, 64, kc, false); }));
            Tile("tile 12×32, kc 196", 12 * 32, ThreadClock.Best(reps, () => { for (int i = 0; i < tiles; i++) GemmMicroKernel.Tile12x32(ps, 12, ps + 8192, 32, pd, 32, kc, false); }));
            Tile("tile 8×32, kc 196", 8 * 32, ThreadClock.Best(reps, () => { for (int i = 0; i < tiles; i++) GemmMicroKernel.Tile8x32(ps, 8, ps + 8192, 32, pd, 32, kc, false); }));

            static void Tile(string name, int cells, double seconds) =>
                Console.WriteLine(FormattableString.Invariant($"{name}: {100 * 2.0 * cells * kc / seconds / 1e9:F1} GFLOP/s"));
        }
    }

    /// <summary>All k blocks (4 × 196) of x[128,784] as op(A), or all row blocks of xᵀ (784 rows, k = 128).</summary>
    private static void PackAll(float* dst, float* a, bool transposed, int mr)
    {
        if (transposed)
            for (int i = 0; i < 784; i += 192) PackedPanels.PackA(dst, a, 784, true, i, Math.Min(192, 784 - i), 0, 128, mr);
        else
            for (int p = 0; p < 784; p += 196) PackedPanels.PackA(dst, a, 784, false, 0, 128, p, 196, mr);
    }

    private static void Print(string name, double seconds) => Console.WriteLine(FormattableString.Invariant($"{name}: {seconds * 1e6:F0} µs"));
}
