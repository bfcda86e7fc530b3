using System.Runtime.InteropServices;
using Thresher.Core.Async;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Async;

/// <summary>The per-push rule at s ≥ 1: the staleness bound, once-only pushes, the staleness-scaled rate and the clip of ĝ = W·g_w.</summary>
public sealed class StalePushTests
{
    static readonly MlpConfig Layers = new([6, 4, 3]);

    static StaleSynchronousServer Server(int workers, int staleness, float? clip, out byte[] theta)
    {
        var layout = new ParameterLayout(Layers);
        var options = new TrainingOptions { Layers = Layers, Optimizer = OptimizerOptions.Sgd(0f), LearningRate = 0.5f, Clip = clip, Steps = 1000 };
        theta = new byte[layout.TotalLength * sizeof(float)];
        return new StaleSynchronousServer(options.CreateUpdateRule(layout, 1000), workers, staleness, theta);
    }

    static WorkerPart Constant(int length, float value)
        => new(MemoryMarshal.AsBytes(Enumerable.Repeat(value, length).ToArray().AsSpan()).ToArray(), new WorkerGradientResult(4, 2.0, 1.0));

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 2)]
    public void Random_arrivals_never_exceed_the_bound_and_every_push_counts_once(int workers, int staleness)
    {
        var server = Server(workers, staleness, clip: null, out _);
        int length = new ParameterLayout(Layers).TotalLength;
        const long clocks = 60;
        var rng = new Random(workers * 31 + staleness);
        var inFlight = new List<SspRead>();
        var completed = new List<long>();
        long pushes = 0;
        while (completed.Count < clocks)
        {
            for (int w = 0; w < workers; w++)
                if (server.Read(w, clocks) is { } read) inFlight.Add(read);
            // A slow worker 0: the others' pushes land three times as often.
            var next = inFlight.OrderBy(r => rng.Next(r.Worker == 0 ? 3 : 1) + rng.NextDouble()).First();
            inFlight.Remove(next);
            var outcome = server.Push(next, Constant(length, 0.01f));
            pushes++;
            Assert.InRange(outcome.Staleness, 0, staleness);
            completed.AddRange(outcome.Completed.Select(c => c.Statistics.Step));
            Assert.All(outcome.Completed, c => Assert.All(c.Staleness, s => Assert.InRange(s, 0, staleness)));
        }
        Assert.Equal(Enumerable.Range(0, (int)clocks).Select(c => (long)c), completed); // every clock once, in order
        Assert.Equal(clocks * workers, pushes);
        Assert.Equal(pushes, server.Histogram.Total);
        Assert.Equal(pushes, server.Rule.Optimizer.Steps);             // one optimizer step per push
        Assert.True(server.Histogram.Max >= 1, "the slow worker made some pushes stale");
    }

    [Fact]
    public void A_stale_push_steps_at_the_rate_over_its_staleness()
    {
        var server = Server(workers: 2, staleness: 3, clip: null, out var theta);
        int length = theta.Length / sizeof(float);
        var zero = Constant(length, 0f);                           // SGD without momentum: a zero push leaves θ at 0
        var slow = server.Read(0, 100)!;                           // worker 0: clock 0 at version 0
        server.Push(server.Read(1, 100)!, zero);                   // worker 1: clocks 0 and 1 pushed,
        server.Push(server.Read(1, 100)!, zero);
        var ahead = server.Read(1, 100)!;                          // and clock 2 read at version 0 (2 − 0 ≤ 3)
        Assert.Equal((2L, 0L), (ahead.Clock, ahead.Version));
        server.Push(slow, zero);                                   // version 1
        server.Push(server.Read(0, 100)!, zero);                   // version 2
        var outcome = server.Push(ahead, Constant(length, 0.2f));
        Assert.Equal(2, outcome.Staleness);
        // SGD: θ − η/(W·max(1, τ)) · (W·g_w) = 0 − 0.5/2 · 0.2
        Assert.All(MemoryMarshal.Cast<byte, float>(theta).ToArray(), x => Assert.Equal(-0.5f / 2 * 0.2f, x, 6));
        Assert.Equal([4L, 0, 1], server.Histogram.Counts);
    }

    [Fact]
    public void Global_clip_judges_w_times_the_share_at_c()
    {
        var server = Server(workers: 2, staleness: 1, clip: 1f, out var theta);
        int length = theta.Length / sizeof(float);
        var read = server.Read(0, 10)!;
        var outcome = server.Push(read, Constant(length, 0.5f));
        double share = 0.5 * Math.Sqrt(length);
        Assert.Equal(2 * share, outcome.Statistics!.GlobalNorm, 9);              // ‖ĝ‖ = W·‖g_w‖
        Assert.Equal((float)(1.0 / (2 * share)), outcome.Statistics.ClipScale, 6); // c / max(W‖g_w‖, c)
        // θ − η/W · (W·scale) · g_w with η = 0.5, τ = 0
        Assert.Equal(-0.5f * (float)(1.0 / (2 * share)) * 0.5f, MemoryMarshal.Cast<byte, float>(theta)[0], 6);
    }
}
