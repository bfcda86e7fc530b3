using System.Diagnostics;
using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// Lost wake-ups and double runs in the kernel team: thousands of fork/joins of 2–4 chunks with bodies of
/// random length, and pauses around and past the helpers' spin time so they fall asleep just as the next call
/// posts work. A watchdog fails the test when one call does not return within 30 s, so a regression fails instead of
/// hanging the test run. (Against the team this replaced, with the x86 store→load reordering of its sleep check made
/// explicit, the first test hung.)
/// </summary>
public class KernelTeamStressTests
{
    /// <summary>A hang is a call that never returns: no call may take this long, however loaded the machine.</summary>
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_shared_team_never_hangs_and_runs_each_chunk_once() =>
        AssertNoHang(calls: 20000, seed: 7, fork: KernelParallel.Fork);

    [Fact]
    public void A_team_whose_helpers_sleep_after_every_call_never_hangs()
    {
        using var team = new KernelTeam("stress-team", spin: TimeSpan.Zero, stallAfter: TimeSpan.FromSeconds(30), report: _ => { });
        AssertNoHang(calls: 10000, seed: 11, fork: (chunks, body) => Assert.True(team.TryRun(chunks, body), "a private team is never busy"));
    }

    /// <summary>
    /// Runs the calls on their own thread and watches its progress: fails when one call has not returned within
    /// <see cref="StallLimit"/> (a lost wake-up), not when a loaded machine makes the whole run slow.
    /// </summary>
    private static void AssertNoHang(int calls, int seed, Action<int, Action<int>> fork)
    {
        string? failure = null;
        int completed = 0;
        var caller = new Thread(() => failure = Hammer(calls, seed, fork, () => Interlocked.Increment(ref completed)))
        {
            IsBackground = true,
            Name = "team-stress",
        };
        caller.Start();
        int seen = -1;
        while (!caller.Join(StallLimit))
        {
            int now = Volatile.Read(ref completed);
            Assert.True(now != seen, $"the kernel team hung: call {now} of {calls} has not returned within {StallLimit.TotalSeconds} s (a lost wake-up)");
            seen = now;
        }
        Assert.Null(failure);
    }

    /// <summary>Runs the calls; returns a description of the first wrong chunk count, or null.</summary>
    private static string? Hammer(int calls, int seed, Action<int, Action<int>> fork, Action completed)
    {
        var random = new Random(seed);
        var runs = new int[4];
        for (int call = 0; call < calls; call++)
        {
            int chunks = random.Next(2, 5);
            int work = random.Next(0, 400);
            Array.Clear(runs);
            fork(chunks, i =>
            {
                Thread.SpinWait(work * (i + 1));
                Interlocked.Increment(ref runs[i]);
            });
            for (int i = 0; i < 4; i++)
            {
                int expected = i < chunks ? 1 : 0;
                if (runs[i] != expected) return $"call {call}: chunk {i} of {chunks} ran {runs[i]} times";
            }
            completed();
            // Around and past the shared team's spin time (0.5 ms): helpers go to sleep just as the next call posts.
            if (call % 2 == 0) Pause(TimeSpan.FromMicroseconds(random.Next(300, 900)));
        }
        return null;
    }

    /// <summary>Keeps the calling thread busy (not asleep) for the given time.</summary>
    private static void Pause(TimeSpan time)
    {
        long end = Stopwatch.GetTimestamp() + (long)(time.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(50);
    }
}
