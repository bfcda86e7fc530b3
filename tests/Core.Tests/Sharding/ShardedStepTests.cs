using System.Runtime.InteropServices;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Sharding;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Sharding;

/// <summary>
/// The sharded parameter server's step (S shards + coordinator) follows the unsharded <see cref="SynchronousStep"/>
/// bit for bit: θ, the optimizer's state and every reported norm, for S = 1, 2, 4, 7 and W = 1, 2, 4 workers, with
/// SGD + momentum and AdamW, under every clip policy, over 30 steps that clip, pass and include a non-finite step.
/// </summary>
public sealed class ShardedStepTests
{
    // 8 layers = 16 tensors (S = 7 fits even with AGC's whole layers); odd sizes put vector tails mid-tensor.
    static readonly MlpConfig Layers = new([13, 11, 9, 7, 9, 11, 7, 5, 3]);
    const int Steps = 30;

    public static TheoryData<int, int, string, string> Matrix()
    {
        var data = new TheoryData<int, int, string, string>();
        foreach (int shards in new[] { 1, 2, 4, 7 })
            foreach (int workers in new[] { 1, 2, 4 })
                foreach (string optimizer in new[] { "sgd", "adamw" })
                    foreach (string policy in new[] { "global", "per-tensor", "agc", "zclip", "autoclip" })
                        data.Add(shards, workers, optimizer, policy);
        return data;
    }

    static TrainingOptions Options(string optimizer, string policy) => new()
    {
        Layers = Layers,
        Optimizer = optimizer == "sgd" ? OptimizerOptions.Sgd(0.9f) : OptimizerOptions.For(OptimizerKind.AdamW),
        LearningRate = optimizer == "sgd" ? 0.05f : 1e-3f,
        Schedule = new ScheduleOptions { Kind = ScheduleKind.Cosine, WarmupSteps = 3 },
        Clip = policy is "global" or "per-tensor" or "zclip" ? 50f : null, // normal steps' norms are ~7–15, every fifth ~40× that
        ClipPolicy = ClipPolicyKinds.Parse(policy) switch
        {
            ClipPolicyKind.ZClip => new ClipPolicyOptions { Kind = ClipPolicyKind.ZClip, ZClipWarmup = 5 },
            ClipPolicyKind.Agc => new ClipPolicyOptions { Kind = ClipPolicyKind.Agc, AgcLambda = 30 },
            var kind => new ClipPolicyOptions { Kind = kind },
        },
        Steps = Steps,
    };

    /// <summary>Worker w's part of step s: random, every fifth step 40× larger (so the policies clip), NaN in step 11 (skipped).</summary>
    static WorkerPart Part(int step, int worker, int workers, int length)
    {
        var rng = new Random(1000 * step + worker);
        float scale = (step % 5 == 4 ? 40f : 1f) / workers;
        var g = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
        if (step == 11 && worker == workers - 1) g[length / 2] = float.NaN;
        return new WorkerPart(MemoryMarshal.AsBytes(g.AsSpan()).ToArray(), new WorkerGradientResult(8, 1.5 + step + worker, double.NaN));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Theta_optimizer_state_and_norms_match_the_unsharded_step_bit_for_bit(int shards, int workers, string optimizer, string policy)
    {
        var options = Options(optimizer, policy);
        var layout = new ParameterLayout(Layers);
        var theta = new byte[layout.TotalLength * sizeof(float)];
        Initializer.Initialize(MemoryMarshal.Cast<byte, float>(theta.AsSpan()), layout, options.Init, 7);
        var plan = new ShardPlan(layout, shards, wholeLayers: options.ClipPolicy.Kind == ClipPolicyKind.Agc);
        var sharded = new ShardedStep(options, plan, theta, Steps);
        var reference = new SynchronousStep(options.CreateUpdateRule(layout, Steps), threads: 2);
        int clipped = 0, skipped = 0;
        for (int step = 0; step < Steps; step++)
        {
            var parts = Enumerable.Range(0, workers).Select(w => Part(step, w, workers, layout.TotalLength)).ToArray();
            var expected = reference.Apply(theta, reference.Measure(parts), step);
            var actual = sharded.Step(step, parts);
            Assert.Equal(expected.GlobalNorm, actual.GlobalNorm);
            Assert.Equal(expected.TensorNorms, actual.TensorNorms);
            Assert.Equal(expected.ClippedNorm, actual.ClippedNorm);
            Assert.Equal(expected.ClipScale, actual.ClipScale);
            Assert.Equal(expected.ClipThreshold, actual.ClipThreshold);
            Assert.Equal((expected.Clipped, expected.Skipped, expected.LearningRate, expected.Loss), (actual.Clipped, actual.Skipped, actual.LearningRate, actual.Loss));
            Assert.Equal(theta, sharded.Theta());
            clipped += actual.Clipped ? 1 : 0;
            skipped += actual.Skipped ? 1 : 0;
        }
        var o = reference.Rule.Optimizer;
        Assert.Equal(Gather(plan, s => s.Optimizer.Velocity, o.Velocity.Length), o.Velocity);
        Assert.Equal(Gather(plan, s => s.Optimizer.ExpAvg, o.ExpAvg.Length), o.ExpAvg);
        Assert.Equal(Gather(plan, s => s.Optimizer.ExpAvgSq, o.ExpAvgSq.Length), o.ExpAvgSq);
        Assert.All(sharded.Shards, s => Assert.Equal(o.Steps, s.Optimizer.Steps));
        Assert.Equal(reference.Rule.Policy.SaveState(), sharded.Coordinator.Rule.Policy.SaveState());
        Assert.Equal(1, skipped);            // the NaN step
        Assert.InRange(clipped, 1, Steps - 2); // the trajectory exercised both branches of the policy
        float[] Gather(ShardPlan p, Func<ParameterShard, float[]> state, int length)
            => length == 0 ? [] : [.. sharded.Shards.SelectMany(state)];
    }

    [Fact]
    public void A_non_finite_step_under_abort_throws_and_leaves_theta()
    {
        var options = Options("sgd", "global") with { NonFinite = NonFinitePolicy.Abort };
        var layout = new ParameterLayout(Layers);
        var theta = new byte[layout.TotalLength * sizeof(float)];
        var sharded = new ShardedStep(options, new ShardPlan(layout, 3, false), theta, Steps);
        var parts = new[] { Part(11, 0, 1, layout.TotalLength) };
        Assert.Throws<NonFiniteGradientException>(() => sharded.Step(11, parts));
        Assert.Equal(theta, sharded.Theta());
    }

    [Theory]
    [InlineData(SpikeAction.Skip)]
    [InlineData(SpikeAction.Rewind)]
    public void The_response_ladders_actions_are_refused_sharded(SpikeAction action)
    {
        var options = Options("sgd", "global") with { Spike = new SpikeOptions { OnSpike = action } };
        var layout = new ParameterLayout(Layers);
        var e = Assert.Throws<ThresherInputException>(() => new ShardedStep(options, new ShardPlan(layout, 2, false), new byte[layout.TotalLength * 4], Steps));
        Assert.Contains("--on-spike none or --ps-shards 1", e.Message);
    }
}
