using System.Runtime.InteropServices;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>The parameter server's half of a step: the workers' bookkeeping in worker order, and one Apply per Measure.</summary>
public sealed class SynchronousStepTests
{
    static readonly ParameterLayout Layout = new(new MlpConfig([7, 5, 3]));

    static SynchronousStep NewStep() => new(new UpdateRule(Layout, Optimizer.Sgd(0.1f, 0f, Layout.TotalLength), 1f, NonFinitePolicy.Skip), threads: 2);

    static byte[] Part(float value) => MemoryMarshal.AsBytes(Enumerable.Repeat(value, Layout.TotalLength).ToArray().AsSpan()).ToArray();

    [Fact]
    public void Measure_adds_up_the_workers_losses_and_rows_and_keeps_their_norms_in_worker_order()
    {
        var step = NewStep();
        var measured = step.Measure([
            new WorkerPart(Part(0.01f), new WorkerGradientResult(3, 6.0, 0.5)),
            new WorkerPart(Part(0.02f), new WorkerGradientResult(2, 1.5, 0.25)),
            new WorkerPart(Part(0.03f), new WorkerGradientResult(3, 0.5, double.NaN)),
        ]);
        Assert.Equal(8.0, measured.LossSum);
        Assert.Equal(8, measured.Samples);
        Assert.Equal(1.0, measured.MeanLoss);
        Assert.Equal([0.5, 0.25, double.NaN], measured.WorkerNorms);
        Assert.Equal(3, measured.Gradients.Count);
        Assert.Equal(Math.Sqrt(Layout.TotalLength) * 0.06, measured.Decision.GlobalNorm, 5);
    }

    [Fact]
    public void Theta_as_floats_and_as_bytes_take_the_same_step()
    {
        var parts = new[] { new WorkerPart(Part(0.5f), new(1, 1, 0)), new WorkerPart(Part(-0.25f), new(1, 1, 0)) };
        var floats = Enumerable.Range(0, Layout.TotalLength).Select(i => i * 0.01f).ToArray();
        var bytes = MemoryMarshal.AsBytes(floats.AsSpan()).ToArray();
        var a = NewStep();
        var b = NewStep();
        var stats = a.Apply(floats, a.Measure(parts), 0);
        Assert.Equal(stats, b.Apply(bytes, b.Measure(parts), 0) with { TensorNorms = stats.TensorNorms });
        Assert.Equal(floats, MemoryMarshal.Cast<byte, float>(bytes).ToArray());
    }

    [Fact]
    public void Only_the_last_measured_step_is_applied_and_only_once()
    {
        var step = NewStep();
        var theta = new float[Layout.TotalLength];
        var first = step.Measure([new WorkerPart(Part(0.1f), new(1, 1, 0))]);
        var second = step.Measure([new WorkerPart(Part(0.2f), new(1, 1, 0))]);
        Assert.Throws<InvalidOperationException>(() => step.Apply(theta, first, 0)); // the sum buffer now holds the second
        step.Apply(theta, second, 0);
        Assert.Throws<InvalidOperationException>(() => step.Apply(theta, second, 0));
    }
}
