using System.Runtime.InteropServices;
using Thresher.Core.Aggregation;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Aggregation;

/// <summary>
/// The trajectory guarantee of pre-aggregation, on the parameter server's own step: per-silo sums added in the order
/// of their lowest worker give the plain worker-order step bit for bit when the grouping preserves worker order, and
/// otherwise the same step to float rounding — bit-identical for one grouping, every time. The workers' losses, rows
/// and local norms reach the step in worker order either way.
/// </summary>
public sealed class PreAggregatedStepTests
{
    // Odd tensor lengths so vector tails fall mid-tensor.
    static readonly ParameterLayout Layout = new(new MlpConfig([37, 19, 5]));

    static byte[] RandomPart(int seed)
    {
        var rng = new Random(seed);
        var floats = Enumerable.Range(0, Layout.TotalLength).Select(_ => (float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-3, 2)))).ToArray();
        return MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
    }

    static WorkerPart[] Parts(int workers)
        => [.. Enumerable.Range(0, workers).Select(w => new WorkerPart(RandomPart(100 + w), new WorkerGradientResult(8 + w, 1.5 * w + 0.25, 0.1 * (w + 1))))];

    static SynchronousStep NewStep()
        => new(new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0.9f, Layout.TotalLength), 0.5f, NonFinitePolicy.Skip), threads: 2);

    static byte[] Theta() => RandomPart(7);

    /// <summary>Two steps, so momentum carries the first into the second; returns θ and the second step's statistics.</summary>
    static (byte[] Theta, StepStatistics Stats) Plain(WorkerPart[] parts)
    {
        var step = NewStep();
        var theta = Theta();
        step.Apply(theta, step.Measure(parts), 0);
        return (theta, step.Apply(theta, step.Measure(parts), 1));
    }

    static (byte[] Theta, StepStatistics Stats, MeasuredStep Measured) PreAggregated(WorkerPart[] parts, string[] silos)
    {
        var groups = SiloGrouping.Of(silos);
        var sums = groups.Select(g => PartialSum.Add([.. g.Workers.Select(w => parts[w].Gradient)], new byte[parts[0].Gradient.Length])).ToArray();
        var results = parts.Select(p => p.Result).ToArray();
        var step = NewStep();
        var theta = Theta();
        step.Apply(theta, step.Measure(sums, results), 0);
        var measured = step.Measure(sums, results);
        return (theta, step.Apply(theta, measured, 1), measured);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("a,a")]
    [InlineData("a,b")]
    [InlineData("a,a,a,a")]
    [InlineData("a,a,b,c")]
    public void A_grouping_that_preserves_worker_order_is_bit_identical_to_the_plain_step(string silos)
    {
        var names = silos.Split(',');
        var parts = Parts(names.Length);
        var plain = Plain(parts);
        var aggregated = PreAggregated(parts, names);
        Assert.True(SiloGrouping.PreservesWorkerOrder(SiloGrouping.Of(names)));
        Assert.Equal(plain.Theta, aggregated.Theta);
        Assert.Equal(plain.Stats.GlobalNorm, aggregated.Stats.GlobalNorm);
        Assert.Equal(plain.Stats.Loss, aggregated.Stats.Loss);
    }

    [Theory]
    [InlineData("a,b,a,b")]
    [InlineData("a,a,b,b")]
    [InlineData("a,b,b")]
    public void Another_grouping_differs_at_float_rounding_and_repeats_itself_bit_for_bit(string silos)
    {
        var names = silos.Split(',');
        var parts = Parts(names.Length);
        var plain = Plain(parts);
        var first = PreAggregated(parts, names);
        var again = PreAggregated(parts, names);
        Assert.Equal(first.Theta, again.Theta);
        Assert.NotEqual(plain.Theta, first.Theta); // these parts round differently when regrouped
        var p = MemoryMarshal.Cast<byte, float>(plain.Theta).ToArray();
        var a = MemoryMarshal.Cast<byte, float>(first.Theta).ToArray();
        for (int i = 0; i < p.Length; i++)
            Assert.True(Math.Abs(p[i] - a[i]) <= 1e-5 * Math.Max(1, Math.Abs(p[i])), $"θ[{i}]: plain {p[i]:G9}, pre-aggregated {a[i]:G9}");
        Assert.Equal(plain.Stats.GlobalNorm, first.Stats.GlobalNorm, 1e-6 * plain.Stats.GlobalNorm);
        Assert.Equal(plain.Stats.Loss, first.Stats.Loss); // losses are added per worker, in worker order, either way
    }

    [Fact]
    public void The_workers_bookkeeping_survives_in_worker_order()
    {
        var parts = Parts(4);
        var measured = PreAggregated(parts, ["a", "b", "a", "b"]).Measured;
        Assert.Equal(2, measured.Gradients.Count);
        Assert.Equal([0.1, 0.2, 0.30000000000000004, 0.4], measured.WorkerNorms);
        Assert.Equal(8 + 9 + 10 + 11, measured.Samples);
        Assert.Equal(0.25 + 1.75 + 3.25 + 4.75, measured.LossSum);
    }

    [Fact]
    public void One_part_is_its_own_sum_and_the_buffer_must_not_be_a_part()
    {
        var part = RandomPart(1);
        var into = new byte[part.Length];
        Assert.Same(part, PartialSum.Add([part], into));
        Assert.Throws<ArgumentException>(() => PartialSum.Add([part, into], into));
        Assert.Throws<ArgumentException>(() => PartialSum.Add([part, new byte[4]], into));
    }
}
