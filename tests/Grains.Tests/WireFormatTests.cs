using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Thresher.Core.Model;

namespace Thresher.Grains.Tests;

/// <summary>
/// --wire on the in-process cluster (two silos): bf16 halves the gradient bytes every worker sends and the parameter
/// server receives (θ stays float32), starts from the same θ and loss as fp32, and then follows its own trajectory
/// (each step's gradient rounded to bf16, with error feedback), close to fp32's. fp32's bit-identity is
/// <see cref="EquivalenceTests"/> and <see cref="ShardedParameterServerTests"/>, unchanged.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WireFormatTests(ClusterFixture fixture)
{
    const int Steps = 8, Workers = 2;
    static readonly int[] Layers = [ClusterFixture.Features, 24, 10];

    RunConfig Config(string wire) => RunConfigs.Default with
    {
        Dataset = fixture.DataDirectory,
        Layers = Layers,
        Batch = 32,
        Workers = Workers,
        Steps = Steps,
        LearningRate = 0.3f,
        Init = "he",
        Seed = 5,
        Wire = wire,
    };

    async Task<IParameterServerGrain> Started(RunConfig config)
    {
        var ps = fixture.Client.GetGrain<IParameterServerGrain>($"wire-{config.Wire}-{Guid.NewGuid():N}");
        await ps.Initialize(config, null);
        return ps;
    }

    [Fact]
    public async Task Bf16_halves_the_gradient_bytes_and_changes_the_trajectory_a_little()
    {
        var fp32 = await Started(Config("fp32"));
        var bf16 = await Started(Config("bf16"));
        long p = new MlpConfig(Layers).ParameterCount;
        for (long step = 0; step < Steps; step++)
        {
            var expected = await fp32.Step(step, evaluate: false);
            var actual = await bf16.Step(step, evaluate: false);
            Assert.Equal(Workers * 4 * p, expected.Bytes!.WorkerSent);   // fp32: 4 bytes per parameter per worker
            Assert.Equal(Workers * 4 * p, expected.Bytes.ServerReceived);
            Assert.Equal(Workers * 2 * p, actual.Bytes!.WorkerSent);     // 2 bytes per parameter per worker
            Assert.Equal(Workers * 2 * p, actual.Bytes.ServerReceived);
            Assert.Equal(Workers * 4 * p, actual.Bytes.WorkerReceived);  // θ travels as float32
            Assert.Equal(Workers * 4 * p, actual.Bytes.ServerSent);
            Assert.Equal(actual.Bytes.ServerRemoteSent / 2, actual.Bytes.ServerRemoteReceived);
            double relative = Math.Abs(actual.GlobalNorm - expected.GlobalNorm) / expected.GlobalNorm;
            Assert.True(relative < 0.02, $"step {step}: global norm bf16 {actual.GlobalNorm} vs fp32 {expected.GlobalNorm}");
            if (step == 0)
            {
                Assert.Equal(expected.Loss, actual.Loss); // the same θ₀: the loss is computed before the update
                Assert.NotEqual(expected.GlobalNorm, actual.GlobalNorm); // of the rounded gradient
                Assert.True(relative < 1.0 / 256, $"step 0: bf16 moved the norm by {relative:G3} of it, more than 2⁻⁸");
            }
        }
        float[] a = Floats((await fp32.GetParameters()).Parameters), b = Floats((await bf16.GetParameters()).Parameters);
        double difference = 0, norm = 0;
        for (int i = 0; i < a.Length; i++) (difference, norm) = (difference + (a[i] - b[i]) * (a[i] - b[i]), norm + a[i] * a[i]);
        Assert.True(difference > 0, "bf16 followed fp32's trajectory bit for bit: its gradients were not rounded");
        Assert.True(Math.Sqrt(difference / norm) < 1e-2, $"θ after {Steps} steps: ‖Δθ‖/‖θ‖ = {Math.Sqrt(difference / norm):G3}");
    }

    static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();
}
