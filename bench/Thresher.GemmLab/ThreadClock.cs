using System.Runtime.InteropServices;

namespace Thresher.GemmLab;

/// <summary>
/// This thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID): time other processes take from the core does not
/// count, so a loaded machine still gives a kernel's own speed. The best of many calls is reported: a call that
/// was preempted lost its caches too, and the best is the one that was not.
/// </summary>
internal static unsafe partial class ThreadClock
{
    private const int ClockThreadCpuTime = 3;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* timespec);

    /// <summary>Seconds of CPU time this thread has used.</summary>
    public static double Now()
    {
        long* ts = stackalloc long[2];
        return ClockGetTime(ClockThreadCpuTime, ts) == 0 ? ts[0] + ts[1] * 1e-9 : throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    }

    /// <summary>The least CPU time of <paramref name="reps"/> calls, after two untimed ones.</summary>
    public static double Best(int reps, Action call) => BestAndMedian(reps, call).Best;

    /// <summary>The least and the median CPU time of <paramref name="reps"/> calls, after two untimed ones.</summary>
    public static (double Best, double Median) BestAndMedian(int reps, Action call)
    {
        call();
        call();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            double start = Now();
            call();
            times[i] = Now() - start;
        }
        Array.Sort(times);
        return (times[0], times[reps / 2]);
    }
}
