namespace Thresher.Core.Kernels;

/// <summary>
/// Work splitting for the multi-threaded kernels. Only used when threads ≥ 2; threads = 1 runs on the
/// calling thread and never touches the thread pool or the kernel team. Chunks are contiguous and disjoint, so no reduction.
/// </summary>
internal static class KernelParallel
{
    /// <summary>[first, last) of <paramref name="count"/> items for chunk <paramref name="index"/> of <paramref name="chunks"/>.</summary>
    public static (int First, int Last) Range(int index, int chunks, int count) =>
        ((int)((long)index * count / chunks), (int)((long)(index + 1) * count / chunks));

    /// <summary>body(0..chunks-1) on the shared <see cref="KernelTeam"/>, or on the thread pool while the team serves another caller.</summary>
    public static void Fork(int chunks, Action<int> body)
    {
        if (KernelTeam.Shared.TryRun(chunks, body)) return;
        try
        {
            // The thread pool, never the caller's TaskScheduler: inside a grain turn that is the grain's, which would run the chunks one by one.
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks, TaskScheduler = TaskScheduler.Default }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // The same exception either way, whichever of the two ran the chunks.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    /// <summary>One multi-threaded GEMM call: each chunk computes a contiguous range of C's row tiles, or of its column panels.</summary>
    internal sealed class GemmJob(GemmBlocked.Plan plan, int chunks, bool splitColumns, int rowTiles)
    {
        public void Compute(int index)
        {
            if (splitColumns)
            {
                var (p0, p1) = Range(index, chunks, plan.Panels);
                if (p0 < p1) GemmBlocked.RunBlock(plan, 0, plan.M, p0, p1);
                return;
            }
            var (first, last) = Range(index, chunks, rowTiles);
            int r0 = first * plan.Mr, r1 = Math.Min(plan.M, last * plan.Mr);
            if (r0 < r1) GemmBlocked.RunBlock(plan, r0, r1, 0, plan.Panels);
        }
    }
}
