using System.Runtime.InteropServices;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Sharding;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Sharding;

/// <summary>
/// On the default MLP, whose w1 (25 norm blocks) and w2 (8) span many blocks, the sharded step (each shard summing its
/// tensors' blocks on one thread) follows the unsharded step whose threads share those blocks, bit for bit, for
/// 1–4 unsharded threads, S = 1–3 shards and W = 1–3 workers.
/// </summary>
public sealed class ShardedBlockNormTests
{
    const int Steps = 3;

    static WorkerPart Part(int step, int worker, int workers, int length)
    {
        var rng = new Random(1000 * step + worker);
        var g = new float[length];
        for (int i = 0; i < g.Length; i++) g[i] = (float)(rng.NextDouble() * 2 - 1) / workers;
        return new WorkerPart(MemoryMarshal.AsBytes(g.AsSpan()).ToArray(), new WorkerGradientResult(8, 1.5 + step, double.NaN));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    public void Shards_match_the_unsharded_step_at_every_thread_count(int shards, int workers)
    {
        var options = new TrainingOptions
        {
            Layers = MlpConfig.Tutorial,
            Optimizer = OptimizerOptions.Sgd(0.9f),
            LearningRate = 0.05f,
            Clip = 100f, // the parts' norms are ~250–420: every step clips
            Steps = Steps,
        };
        var layout = new ParameterLayout(MlpConfig.Tutorial);
        var partsOfStep = Enumerable.Range(0, Steps)
            .Select(s => Enumerable.Range(0, workers).Select(w => Part(s, w, workers, layout.TotalLength)).ToArray()).ToArray();
        var start = new byte[layout.TotalLength * sizeof(float)];
        Initializer.Initialize(MemoryMarshal.Cast<byte, float>(start.AsSpan()), layout, options.Init, 7);
        var sharded = new ShardedStep(options, new ShardPlan(layout, shards, wholeLayers: false), (byte[])start.Clone(), Steps);
        var shardedStats = partsOfStep.Select((parts, s) => sharded.Step(s, parts)).ToArray();
        Assert.True(shardedStats[0].Clipped);

        for (int threads = 1; threads <= 4; threads++)
        {
            var theta = (byte[])start.Clone();
            var reference = new SynchronousStep(options.CreateUpdateRule(layout, Steps), threads);
            for (int s = 0; s < Steps; s++)
            {
                var expected = reference.Apply(theta, reference.Measure(partsOfStep[s]), s);
                Assert.Equal(expected.TensorNorms, shardedStats[s].TensorNorms);
                Assert.Equal(expected.GlobalNorm, shardedStats[s].GlobalNorm);
                Assert.Equal(expected.ClipScale, shardedStats[s].ClipScale);
            }
            Assert.True(theta.AsSpan().SequenceEqual(sharded.Theta()), $"θ differs from {shards} shards at {threads} threads");
        }
    }
}
