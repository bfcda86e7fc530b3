using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>The spinning fork/join team behind the multi-threaded GEMMs.</summary>
public class KernelTeamTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Every_chunk_runs_exactly_once(int chunks)
    {
        for (int round = 0; round < 50; round++)
        {
            var runs = new int[chunks];
            KernelParallel.Fork(chunks, i => Interlocked.Increment(ref runs[i]));
            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void A_helper_exception_reaches_the_caller_and_the_team_stays_usable()
    {
        var e = Assert.Throws<InvalidOperationException>(() => KernelParallel.Fork(2, i =>
        {
            if (i == 1) throw new InvalidOperationException("chunk 1 failed");
        }));
        Assert.Equal("chunk 1 failed", e.Message);
        var runs = new int[2];
        KernelParallel.Fork(2, i => Interlocked.Increment(ref runs[i]));
        Assert.Equal([1, 1], runs);
    }

    [Fact]
    public void Nested_fork_falls_back_to_the_thread_pool()
    {
        var runs = new int[4];
        KernelParallel.Fork(2, i => KernelParallel.Fork(2, j => Interlocked.Increment(ref runs[2 * i + j])));
        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public async Task Concurrent_callers_get_the_same_products_as_the_naive_gemm()
    {
        const int m = 96, k = 300, n = 70;
        float[] x = KernelTestData.Uniform(m * k, 11), w = KernelTestData.Uniform(k * n, 12);
        var expected = new float[m * n];
        GemmNaive.Forward(expected, x, w, m, k, n);
        var scale = new float[m * n];
        GemmNaive.Forward(scale, KernelTestData.Abs(x), KernelTestData.Abs(w), m, k, n);
        var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var y = new float[m * n];
            for (int round = 0; round < 20; round++)
            {
                Gemm.Forward(y, x, w, m, k, n, accumulate: false, threads: 2, use512: true);
                KernelTestData.Close(expected, y, scale, 1e-5, 1e-6, $"concurrent Forward round {round}");
            }
        }));
        await Task.WhenAll(callers);
    }

    [Fact]
    public void A_call_that_waits_past_the_stall_time_names_the_stuck_helper_and_still_completes()
    {
        var reports = new List<string>();
        using var release = new ManualResetEventSlim();
        using var team = new KernelTeam("stall-team", TimeSpan.Zero, stallAfter: TimeSpan.FromMilliseconds(50), report: line =>
        {
            lock (reports) reports.Add(line);
            release.Set(); // the stuck chunk ends once the caller has said so
        });
        var runs = new int[3];
        bool ran = team.TryRun(3, i =>
        {
            if (i == 2) Assert.True(release.Wait(TimeSpan.FromSeconds(30)), "no stall report within 30 s");
            Interlocked.Increment(ref runs[i]);
        });
        Assert.True(ran);
        Assert.Equal([1, 1, 1], runs);
        var report = Assert.Single(reports);
        Assert.Contains("stall-team-2", report);
        Assert.DoesNotContain("stall-team-1", report);
        Assert.Contains("still waiting", report);
    }
}
