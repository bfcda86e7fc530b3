using System.Runtime.InteropServices;
using Thresher.Core.Kernels;

namespace Thresher.Core.Optim;

/// <summary>
/// One run's optimizer: its hyper-parameters, base learning rate and state, all sliceable by θ's layout (every buffer
/// is P floats or empty). The state follows PyTorch's names: <see cref="Velocity"/> is SGD's momentum_buffer,
/// <see cref="ExpAvg"/>/<see cref="ExpAvgSq"/> Adam's exp_avg/exp_avg_sq, <see cref="Steps"/> the updates applied.
/// A step's update may be split over element ranges (<see cref="UpdateRange"/>, any split gives the same bits) and is
/// then counted once (<see cref="CountStep"/>).
/// </summary>
public sealed class Optimizer
{
    /// <param name="learningRate">The base (peak) learning rate, finite and &gt; 0; a schedule scales it per step.</param>
    /// <param name="length">P, the parameter count.</param>
    public Optimizer(OptimizerOptions options, float learningRate, int length)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!(learningRate > 0) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be a finite number > 0");
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Options = options;
        LearningRate = learningRate;
        bool adam = options.Kind.IsAdam();
        Velocity = !adam && options.Momentum > 0 ? new float[length] : [];
        ExpAvg = adam ? new float[length] : [];
        ExpAvgSq = adam ? new float[length] : [];
    }

    /// <summary>SGD with heavy-ball momentum μ (0: plain SGD) at learning rate <paramref name="learningRate"/>.</summary>
    public static Optimizer Sgd(float learningRate, float momentum, int length) => new(OptimizerOptions.Sgd(momentum), learningRate, length);

    public OptimizerOptions Options { get; }

    /// <summary>The base learning rate (the schedule's peak).</summary>
    public float LearningRate { get; }

    /// <summary>SGD only: heavy-ball momentum μ (0 for Adam).</summary>
    public float Momentum => Options.Kind.IsAdam() ? 0f : Options.Momentum;

    /// <summary>SGD's momentum buffer (layout order); empty when momentum is 0 or for Adam. Checkpointed with θ.</summary>
    public float[] Velocity { get; }

    /// <summary>Adam's first moment m (layout order); empty for SGD.</summary>
    public float[] ExpAvg { get; }

    /// <summary>Adam's second moment v (layout order); empty for SGD.</summary>
    public float[] ExpAvgSq { get; }

    /// <summary>Updates applied so far (PyTorch's state "step"): Adam's bias correction uses t = Steps + 1; SGD's first step sets the buffer.</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Loads saved state: float32 bytes in layout order, each P floats, or empty where none was saved (that buffer
    /// stays zero); <paramref name="steps"/> is the saved step count. A wrong size throws <see cref="ThresherInputException"/>.
    /// </summary>
    public void Restore(ReadOnlySpan<byte> velocity, ReadOnlySpan<byte> expAvg, ReadOnlySpan<byte> expAvgSq, long steps)
    {
        if (steps < 0) throw new ThresherInputException($"optimizer state: step count {steps} is negative");
        Load(Velocity, velocity, "momentum_buffer");
        Load(ExpAvg, expAvg, "exp_avg");
        Load(ExpAvgSq, expAvgSq, "exp_avg_sq");
        Steps = steps;
    }

    /// <summary>The same from float buffers (a rewind's snapshot): each as long as this optimizer's, or empty where it keeps none.</summary>
    public void Restore(ReadOnlySpan<float> velocity, ReadOnlySpan<float> expAvg, ReadOnlySpan<float> expAvgSq, long steps)
        => Restore(MemoryMarshal.AsBytes(velocity), MemoryMarshal.AsBytes(expAvg), MemoryMarshal.AsBytes(expAvgSq), steps);

    static void Load(float[] into, ReadOnlySpan<byte> from, string name)
    {
        if (from.IsEmpty) return;
        if (from.Length != into.Length * sizeof(float))
            throw new ThresherInputException($"optimizer state {name} has {from.Length / sizeof(float)} floats; this optimizer keeps {into.Length}");
        MemoryMarshal.Cast<byte, float>(from).CopyTo(into);
    }

    /// <summary>One whole step: θ and g (layout order, P floats), the step's learning rate (double, as PyTorch's Python float) and the clip scale. g must be finite.</summary>
    public void Apply(Span<float> theta, ReadOnlySpan<float> grad, double learningRate, float scale)
    {
        UpdateRange(theta, grad, 0, learningRate, scale);
        CountStep();
    }

    /// <summary>
    /// Elements [offset, offset + θ.Length) of a step not yet counted: θ and g are those elements' slices. Ranges of one
    /// step may run on different threads; call <see cref="CountStep"/> once after all of them.
    /// </summary>
    public void UpdateRange(Span<float> theta, ReadOnlySpan<float> grad, int offset, double learningRate, float scale)
    {
        var o = Options;
        if (o.Kind.IsAdam())
        {
            var step = AdamStep.At(Steps + 1, learningRate, scale, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, decoupled: o.Kind == OptimizerKind.AdamW);
            Adam.Update(theta, grad, ExpAvg.AsSpan(offset, theta.Length), ExpAvgSq.AsSpan(offset, theta.Length), step);
            return;
        }
        var velocity = o.Momentum > 0 ? Velocity.AsSpan(offset, theta.Length) : Span<float>.Empty;
        Kernels.Sgd.Update(theta, grad, velocity, new SgdStep((float)learningRate, o.Momentum, o.Dampening, o.Nesterov, o.WeightDecay, scale, First: Steps == 0));
    }

    /// <summary>Counts the step whose ranges <see cref="UpdateRange"/> applied.</summary>
    public void CountStep() => Steps++;
}
