namespace Thresher.Core.Kernels;

/// <summary>
/// A single-threaded computation run on the kernel team's first helper thread instead of the caller's, so that two
/// computations handed out together start together.
/// <para>
/// Why: the cluster's parameter server asks its W workers for their parts at once; each worker's turn runs on an
/// Orleans (thread-pool) thread. The thread that sent the calls takes one worker's turn itself and a woken thread
/// takes the other, but Linux often queues the woken thread on its waker's core, behind a 2 ms gradient: measured
/// on a 2-core Ice Lake-SP, in 25-45 % of `thresher train`'s steps the second worker started 0.3-2.5 ms late. The
/// team's helper has just spun through the parameter server's update pass, so it takes a job at once on its own
/// core: with the first worker's gradient started here, late starts fell to 10-13 % of steps (median 40-60 µs
/// instead of 240-290 µs) and the step from 3.6-3.9 to 2.6-3.3 ms. Same arithmetic on another thread: the same bits.
/// </para>
/// </summary>
public static class HelperOffload
{
    /// <summary>
    /// <paramref name="work"/> started on the helper (the task completes with its result or its exception), or null
    /// when the helper is busy (a team call or another job): then the caller computes it itself.
    /// </summary>
    public static Task<T>? TryStart<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool started = KernelTeam.Shared.TryStart(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return started ? done.Task : null;
    }
}
