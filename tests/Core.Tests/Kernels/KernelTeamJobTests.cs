using Thresher.Core.Kernels;
using Thresher.TestSupport;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// Whole jobs started on the kernel team's first helper (<see cref="KernelTeam.TryStart"/>, behind
/// <see cref="HelperOffload"/>): where they run, what the team refuses meanwhile, errors, and no lost or doubled work
/// when jobs and fork/joins alternate with pauses past the spin time.
/// </summary>
public class KernelTeamJobTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    static KernelTeam NewTeam(Action<string>? report = null) =>
        new("job-team", spin: TimeSpan.FromMilliseconds(0.2), stallAfter: TimeSpan.FromSeconds(30), report: report ?? (_ => { }));

    [Fact]
    public async Task A_started_job_runs_on_the_first_helper_not_on_the_caller()
    {
        using var team = NewTeam();
        var ran = new TaskCompletionSource<(string? Name, int Id)>(TaskCreationOptions.RunContinuationsAsynchronously);
        int caller = Environment.CurrentManagedThreadId;
        Assert.True(team.TryStart(() => ran.SetResult((Thread.CurrentThread.Name, Environment.CurrentManagedThreadId))));
        var (name, id) = await ran.Task.WaitAsync(Timeout);
        Assert.Equal("job-team-1", name);
        Assert.NotEqual(caller, id);
    }

    [Fact]
    public async Task While_a_job_runs_calls_and_second_jobs_are_refused_then_both_work_again()
    {
        using var team = NewTeam();
        using var release = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(team.TryStart(() => { started.SetResult(); release.Wait(); finished.SetResult(); }));
        await started.Task.WaitAsync(Timeout);
        int calls = 0;
        Assert.False(team.TryRun(2, _ => Interlocked.Increment(ref calls)), "a call while the helper runs a job");
        Assert.False(team.TryStart(() => { }), "a second job while the first runs");
        Assert.Equal(0, calls);
        release.Set();
        await finished.Task.WaitAsync(Timeout);
        await Wait.Until(() => team.TryRun(2, _ => Interlocked.Increment(ref calls)), Timeout, "the team to take calls again after the job");
        Assert.Equal(2, calls);
        var again = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(team.TryStart(again.SetResult), "a job after the call");
        await again.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_job_that_throws_is_reported_and_the_helper_keeps_working()
    {
        var lines = new List<string>();
        using var team = NewTeam(line => { lock (lines) lines.Add(line); });
        Assert.True(team.TryStart(() => throw new InvalidOperationException("job broke")));
        await Wait.Until(() => { lock (lines) return lines.Count == 1; }, Timeout, "the report of the throwing job");
        Assert.Contains("job broke", lines[0], StringComparison.Ordinal);
        var runs = new int[2];
        await Wait.Until(() => team.TryRun(2, i => Interlocked.Increment(ref runs[i])), Timeout, "a call after the throwing job");
        Assert.Equal([1, 1], runs);
    }

    [Fact]
    public async Task HelperOffload_completes_with_the_result_or_the_exception()
    {
        Task<int>? sum = null;
        await Wait.Until(() => (sum = HelperOffload.TryStart(() => Enumerable.Range(1, 100).Sum())) is not null, Timeout, "the shared helper to be free");
        Assert.Equal(5050, await sum!.WaitAsync(Timeout));
        Task<int>? failing = null;
        await Wait.Until(() => (failing = HelperOffload.TryStart<int>(() => throw new ArgumentException("bad rows"))) is not null, Timeout, "the shared helper to be free");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => failing!.WaitAsync(Timeout));
        Assert.Equal("bad rows", e.Message);
    }

    /// <summary>
    /// Two callers alternate jobs and 2-3 chunk calls on one team with random work and pauses around the spin time:
    /// every job runs once, every accepted call runs each chunk once, and nothing waits forever.
    /// </summary>
    [Fact]
    public async Task Jobs_and_calls_interleaved_from_two_threads_never_hang_or_double_run()
    {
        using var team = NewTeam();
        int jobsRun = 0, jobsStarted = 0;
        var callers = Enumerable.Range(0, 2).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed + 40); // this caller's only: job and chunk bodies get their spins precomputed
            for (int i = 0; i < 3000; i++)
            {
                int jobSpin = random.Next(1, 2000);
                if (random.Next(2) == 0 && team.TryStart(() => { Thread.SpinWait(jobSpin); Interlocked.Increment(ref jobsRun); }))
                    Interlocked.Increment(ref jobsStarted);
                int chunks = random.Next(2, 4);
                var runs = new int[chunks];
                var spins = Enumerable.Range(0, chunks).Select(_ => random.Next(1, 500)).ToArray();
                if (team.TryRun(chunks, c => { Thread.SpinWait(spins[c]); Interlocked.Increment(ref runs[c]); }))
                    Assert.All(runs, r => Assert.Equal(1, r));
                if (random.Next(50) == 0) Pause(TimeSpan.FromMicroseconds(random.Next(100, 600))); // around the spin time: the helper may fall asleep
            }
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(3));
        await Wait.Until(() => Volatile.Read(ref jobsRun) == Volatile.Read(ref jobsStarted), Timeout, "every started job to finish");
        Assert.True(jobsStarted > 0, "no job was ever started");
    }

    static void Pause(TimeSpan time)
    {
        long end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(time.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < end) Thread.SpinWait(50);
    }
}
