using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Optim;

/// <summary>
/// Every clip policy through the parameter server's fused update (<see cref="PartsUpdate"/>: W parts, 2 threads)
/// equals summing the parts and <see cref="UpdateRule"/>.Apply bit for bit, state included, over several steps;
/// the parts are never written (AGC rescales a copy).
/// </summary>
public sealed class ClipPolicyStepTests
{
    static readonly ParameterLayout Layout = new(new MlpConfig([37, 19, 5]));

    public static TheoryData<ClipPolicyOptions, float?, int> Policies => new()
    {
        { new() { Kind = ClipPolicyKind.PerTensor }, 2f, 1 },
        { new() { Kind = ClipPolicyKind.PerTensor }, 2f, 3 },
        { new() { Kind = ClipPolicyKind.ZClip, ZClipWarmup = 2, ZClipZ = 0.5 }, null, 2 },
        { new() { Kind = ClipPolicyKind.ZClip, ZClipWarmup = 2 }, 3f, 1 },
        { new() { Kind = ClipPolicyKind.AutoClip, AutoClipHistory = 3 }, null, 2 },
        { new() { Kind = ClipPolicyKind.Agc, AgcLambda = 0.05 }, null, 1 },
        { new() { Kind = ClipPolicyKind.Agc, AgcLambda = 0.05, AgcIncludeLast = true }, null, 3 },
        { new() { Kind = ClipPolicyKind.None }, null, 2 },
    };

    static float[] Random(int seed, float scale)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, Layout.TotalLength).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale)];
    }

    static byte[] Bytes(float[] x) => MemoryMarshal.AsBytes(x.AsSpan()).ToArray();

    static float[] Floats(byte[] x) => MemoryMarshal.Cast<byte, float>(x.AsSpan()).ToArray();

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_fused_update_equals_the_rule_bit_for_bit(ClipPolicyOptions policy, float? clip, int workers)
    {
        var expectedTheta = Random(1, 1);
        var theta = Bytes(expectedTheta);
        var reference = new UpdateRule(Layout, new SgdOptimizer(0.1f, 0.5f, Layout.TotalLength), clip, NonFinitePolicy.Skip, policy);
        var fused = new PartsUpdate(new UpdateRule(Layout, new SgdOptimizer(0.1f, 0.5f, Layout.TotalLength), clip, NonFinitePolicy.Skip, policy), 2);
        bool anyClipped = false;
        for (int step = 0; step < 6; step++)
        {
            float spike = step == 4 ? 20f : 1f;
            var parts = Enumerable.Range(0, workers).Select(w => Random(10 * step + w + 2, spike * 3f / workers)).ToArray();
            var sum = (float[])parts[0].Clone();
            for (int w = 1; w < workers; w++) TensorPrimitives.Add(sum, parts[w], sum);
            var expected = reference.Apply(expectedTheta, sum, step, 1.5);
            var bytes = parts.Select(Bytes).ToArray();
            var actual = fused.Apply(theta, bytes, step, 1.5, fused.Measure(bytes));

            Assert.Equal(expected.GlobalNorm, actual.GlobalNorm);
            Assert.Equal(expected.ClippedNorm, actual.ClippedNorm);
            Assert.Equal(expected.ClipThreshold, actual.ClipThreshold);
            Assert.Equal(expected.ClipScale, actual.ClipScale);
            Assert.Equal(expectedTheta, Floats(theta));
            Assert.Equal(reference.Policy.SaveState(), fused.Rule.Policy.SaveState());
            Assert.All(bytes.Zip(parts), p => Assert.Equal(p.Second, Floats(p.First)));
            anyClipped |= actual.Clipped;
        }
        Assert.Equal(policy.Kind != ClipPolicyKind.None, anyClipped);
    }

    [Fact]
    public void A_skipped_step_leaves_the_policy_state_alone()
    {
        var update = new PartsUpdate(new UpdateRule(Layout, new SgdOptimizer(0.1f, 0, Layout.TotalLength), null, NonFinitePolicy.Skip,
            new ClipPolicyOptions { Kind = ClipPolicyKind.AutoClip }), 2);
        var theta = Bytes(Random(1, 1));
        var good = Bytes(Random(2, 1));
        update.Apply(theta, [good], 0, 1, update.Measure([good]));
        var state = update.Rule.Policy.SaveState();
        var bad = Random(3, 1);
        bad[7] = float.PositiveInfinity;
        var stats = update.Apply(theta, [Bytes(bad)], 1, 1, update.Measure([Bytes(bad)]));
        Assert.True(stats.Skipped);
        Assert.Equal(state, update.Rule.Policy.SaveState());
    }
}
