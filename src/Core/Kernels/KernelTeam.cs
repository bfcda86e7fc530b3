using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Thresher.Core.Kernels;

/// <summary>
/// Fork/join for the multi-threaded kernels: helper threads that keep spinning for a short while after each
/// call, so the back-to-back GEMMs of a training step find them awake (a thread-pool worker that has gone to
/// sleep costs a wake-up per call, and Parallel.For's calling thread then runs the late helper's chunk itself,
/// serialising the call). One caller at a time: a second concurrent caller gets false and uses the thread pool.
/// Chunks are disjoint, so results do not depend on which thread runs which chunk.
/// </summary>
internal static class KernelTeam
{
    /// <summary>How long an idle helper spins before it blocks: covers the gaps between a step's kernels.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    private static readonly object Gate = new();
    private static readonly List<Helper> Helpers = [];
    private static Action<int>? s_body;
    private static int s_chunks, s_generation, s_pending;
    private static ExceptionDispatchInfo? s_error;

    /// <summary>Runs body(0..chunks-1), chunk 0 on the calling thread; false (nothing run) when the team is busy.</summary>
    public static bool TryRun(int chunks, Action<int> body)
    {
        if (Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate)) return false; // nested or concurrent: not ours
        try
        {
            while (Helpers.Count < chunks - 1) Helpers.Add(new Helper(Helpers.Count + 1));
            s_body = body;
            s_chunks = chunks;
            s_error = null;
            Volatile.Write(ref s_pending, chunks - 1);
            Interlocked.Increment(ref s_generation);
            for (int i = 0; i < chunks - 1; i++) Helpers[i].Wake();
            try
            {
                body(0);
            }
            finally
            {
                var spin = new SpinWait();
                while (Volatile.Read(ref s_pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
                s_body = null;
            }
            s_error?.Throw();
            return true;
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private sealed class Helper
    {
        private readonly int _index;
        private readonly SemaphoreSlim _signal = new(0);
        private int _sleeping;

        public Helper(int index)
        {
            _index = index;
            new Thread(Loop) { IsBackground = true, Name = $"thresher-kernel-{index}" }.Start(Volatile.Read(ref s_generation)); // created before the call bumps it
        }

        public void Wake()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _signal.Release();
        }

        private void Loop(object? start)
        {
            int seen = (int)start!;
            while (true)
            {
                long idleSince = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref s_generation) == seen)
                {
                    if (Stopwatch.GetTimestamp() - idleSince < SpinTicks)
                    {
                        Thread.SpinWait(20);
                        continue;
                    }
                    Volatile.Write(ref _sleeping, 1);
                    if (Volatile.Read(ref s_generation) == seen) _signal.Wait();
                    else Interlocked.Exchange(ref _sleeping, 0); // a Wake may still release once: one extra spin round
                    idleSince = Stopwatch.GetTimestamp();
                }
                seen = Volatile.Read(ref s_generation);
                if (_index < s_chunks)
                {
                    try
                    {
                        s_body!(_index);
                    }
                    catch (Exception e)
                    {
                        s_error = ExceptionDispatchInfo.Capture(e);
                    }
                    Interlocked.Decrement(ref s_pending);
                }
            }
        }
    }
}
