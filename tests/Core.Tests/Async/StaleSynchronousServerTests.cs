using System.Runtime.InteropServices;
using Thresher.Core.Async;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Async;

/// <summary>
/// The SSP server: s = 0 is the synchronous step bit for bit whatever order pushes arrive in (W = 1, 2, 4); W = 1 is the
/// synchronous step for every s; under random arrival orders no push is staler than s and every push counts once.
/// </summary>
public sealed class StaleSynchronousServerTests
{
    static readonly MlpConfig Layers = new([13, 11, 9, 7, 5, 3]);
    const int Steps = 36;

    static TrainingOptions Options(string optimizer, string policy) => new()
    {
        Layers = Layers,
        Optimizer = optimizer == "sgd" ? OptimizerOptions.Sgd(0.9f) : OptimizerOptions.For(OptimizerKind.AdamW),
        LearningRate = optimizer == "sgd" ? 0.05f : 1e-3f,
        Schedule = new ScheduleOptions { Kind = ScheduleKind.Cosine, WarmupSteps = 3 },
        Clip = policy == "agc" ? null : 50f,
        ClipPolicy = ClipPolicyKinds.Parse(policy) switch
        {
            ClipPolicyKind.ZClip => new ClipPolicyOptions { Kind = ClipPolicyKind.ZClip, ZClipWarmup = 5 },
            ClipPolicyKind.Agc => new ClipPolicyOptions { Kind = ClipPolicyKind.Agc, AgcLambda = 30 },
            var kind => new ClipPolicyOptions { Kind = kind },
        },
        Steps = Steps,
    };

    /// <summary>Worker w's share of clock c: random, every fifth clock 40× larger (so the policies clip).</summary>
    static WorkerPart Part(long clock, int worker, int workers, int length)
    {
        var rng = new Random((int)(1000 * clock) + worker);
        float scale = (clock % 5 == 4 ? 40f : 1f) / workers;
        var g = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        return new WorkerPart(MemoryMarshal.AsBytes(g.AsSpan()).ToArray(), new WorkerGradientResult(8, 1.5 + clock + worker, worker));
    }

    static byte[] InitialTheta(ParameterLayout layout)
    {
        var theta = new byte[layout.TotalLength * sizeof(float)];
        Initializer.Initialize(MemoryMarshal.Cast<byte, float>(theta.AsSpan()), layout, InitKind.TruncNormal, 7);
        return theta;
    }

    public static TheoryData<int, string, string> SyncMatrix()
    {
        var data = new TheoryData<int, string, string>();
        foreach (int workers in new[] { 1, 2, 4 })
            foreach (string optimizer in new[] { "sgd", "adamw" })
                foreach (string policy in new[] { "global", "zclip", "agc" })
                    data.Add(workers, optimizer, policy);
        return data;
    }

    [Theory]
    [MemberData(nameof(SyncMatrix))]
    public void Staleness_zero_is_the_synchronous_step_bit_for_bit_in_any_arrival_order(int workers, string optimizer, string policy)
    {
        var options = Options(optimizer, policy);
        var layout = new ParameterLayout(Layers);
        byte[] expected = InitialTheta(layout), actual = (byte[])expected.Clone();
        var reference = new SynchronousStep(options.CreateUpdateRule(layout, Steps), threads: 2);
        var ssp = new StaleSynchronousServer(options.CreateUpdateRule(layout, Steps), workers, staleness: 0, actual, threads: 2);
        var rng = new Random(workers);
        for (int step = 0; step < Steps; step++)
        {
            var parts = Enumerable.Range(0, workers).Select(w => Part(step, w, workers, layout.TotalLength)).ToArray();
            var stats = reference.Apply(expected, reference.Measure(parts), step);
            var reads = Enumerable.Range(0, workers).Select(w => ssp.Read(w, Steps)!).ToArray();
            Assert.All(reads, r => Assert.Equal(expected.Length, r.Parameters.Length));
            ClockRecord? done = null;
            foreach (int w in Enumerable.Range(0, workers).OrderBy(_ => rng.Next())) // the pushes land in a random order
            {
                Assert.Empty(done is null ? [] : new[] { done });
                var outcome = ssp.Push(reads[w], parts[w]);
                Assert.Equal(0, outcome.Staleness);
                done = outcome.Completed.SingleOrDefault();
            }
            Assert.NotNull(done);
            Assert.Equal((stats.GlobalNorm, stats.ClipScale, stats.Loss, stats.Skipped), (done.Statistics.GlobalNorm, done.Statistics.ClipScale, done.Statistics.Loss, done.Statistics.Skipped));
            Assert.Equal(expected, actual);
        }
        Assert.Equal(reference.Rule.Optimizer.Velocity, ssp.Rule.Optimizer.Velocity);
        Assert.Equal(reference.Rule.Optimizer.ExpAvgSq, ssp.Rule.Optimizer.ExpAvgSq);
        Assert.Equal(reference.Rule.Policy.SaveState(), ssp.Rule.Policy.SaveState());
        Assert.Equal([(long)Steps * workers], ssp.Histogram.Counts);
    }

    [Theory]
    [InlineData("sgd", "global")]
    [InlineData("adamw", "zclip")]
    [InlineData("sgd", "per-tensor")]
    [InlineData("adamw", "agc")]
    public void One_worker_is_the_synchronous_step_bit_for_bit_at_any_staleness(string optimizer, string policy)
    {
        var options = Options(optimizer, policy);
        var layout = new ParameterLayout(Layers);
        byte[] expected = InitialTheta(layout), actual = (byte[])expected.Clone();
        var reference = new SynchronousStep(options.CreateUpdateRule(layout, Steps), threads: 1);
        var ssp = new StaleSynchronousServer(options.CreateUpdateRule(layout, Steps), workers: 1, staleness: 3, actual);
        for (int step = 0; step < Steps; step++)
        {
            var part = Part(step, 0, 1, layout.TotalLength);
            var stats = reference.Apply(expected, reference.Measure([part]), step);
            var outcome = ssp.Push(ssp.Read(0, Steps)!, part);
            Assert.Equal(0, outcome.Staleness);
            Assert.Equal((stats.GlobalNorm, stats.ClipScale), (outcome.Statistics!.GlobalNorm, outcome.Statistics.ClipScale));
            Assert.Equal(expected, actual);
        }
    }
}
