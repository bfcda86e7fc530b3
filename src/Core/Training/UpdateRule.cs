using Thresher.Core.Kernels;
using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;

namespace Thresher.Core.Training;

/// <summary>What clip_by_global_norm decided for one gradient, before anything is updated.</summary>
/// <param name="TensorNorms">Pre-clip L2 norm per tensor, layout order.</param>
/// <param name="GlobalNorm">√(Σ tensor norm²), accumulated in double; NaN/∞ when the gradient is non-finite.</param>
/// <param name="Scale">c / max(n, c) (1 when not clipping or n ≤ c).</param>
/// <param name="ClippedNorm">min(n, c), or n when not clipping.</param>
public sealed record ClipDecision(double[] TensorNorms, double GlobalNorm, float Scale, double ClippedNorm)
{
    /// <summary>The threshold the policy compared the norm with (+∞: none); see <see cref="Optim.Clipping.ClipPolicy"/>.</summary>
    public double Threshold { get; init; } = double.PositiveInfinity;

    /// <summary>Per-tensor scales folded into the update (per-tensor policy), or null when <see cref="Scale"/> applies to all.</summary>
    public float[]? TensorScales { get; init; }

    /// <summary>What the policy's state records if the step is applied (ZClip: the norm or its clip value; AutoClip: the norm).</summary>
    public double Observed { get; init; } = double.NaN;

    public bool Clipped => Scale < 1f || (TensorScales?.Any(s => s < 1f) ?? false);

    public bool Finite => double.IsFinite(GlobalNorm);
}

/// <summary>
/// The parameter server's half of a step, shared by the single-process trainer and the cluster:
/// per-tensor norms → global norm → clip_by_global_norm (TensorFlow semantics) → non-finite check → the optimizer
/// (SGD, Adam or AdamW) at the schedule's learning rate for the step.
/// The clip scale is folded into the update, so the gradient is read twice (norms, update) and never
/// rewritten. <see cref="Measure"/> and <see cref="Apply(Span{float}, ReadOnlySpan{float}, long, double, ClipDecision)"/>
/// are separate so hosts can trace them as separate spans.
/// </summary>
public sealed class UpdateRule
{
    readonly ParameterLayout _layout;
    readonly int[] _sliceLengths;

    /// <param name="clipNorm">clip_by_global_norm's c (&gt; 0, finite), or null for no clipping; per-tensor's c, ZClip's hard cap.</param>
    /// <param name="schedule">The learning rate of each step; null: the optimizer's base rate every step.</param>
    /// <param name="clipPolicy">The clip policy; null is tf.clip_by_global_norm at <paramref name="clipNorm"/>.</param>
    public UpdateRule(ParameterLayout layout, Optimizer optimizer, float? clipNorm, NonFinitePolicy nonFinite, LearningRateSchedule? schedule = null, ClipPolicyOptions? clipPolicy = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (clipNorm is float c && !(c > 0 && float.IsFinite(c)))
            throw new ArgumentOutOfRangeException(nameof(clipNorm), c, "clip norm must be a finite number > 0");
        _layout = layout;
        _sliceLengths = [.. layout.Slices.Select(s => s.Length)];
        Optimizer = optimizer;
        ClipNorm = clipNorm;
        NonFinite = nonFinite;
        Schedule = schedule ?? LearningRateSchedule.Constant(optimizer.LearningRate);
        Policy = ClipPolicy.Create(clipPolicy ?? new ClipPolicyOptions(), clipNorm, layout);
    }

    /// <summary>The clip policy and its state (EMAs, history), checkpointed with θ.</summary>
    public ClipPolicy Policy { get; }

    public Optimizer Optimizer { get; }

    public LearningRateSchedule Schedule { get; }

    public ParameterLayout Layout => _layout;

    public float? ClipNorm { get; }

    public NonFinitePolicy NonFinite { get; }

    /// <summary>Norms and clip scale of the mean gradient g (layout order). Reads g once.</summary>
    public ClipDecision Measure(ReadOnlySpan<float> meanGradient)
    {
        if (meanGradient.Length != _layout.TotalLength)
            throw new ArgumentException($"g has {meanGradient.Length} floats; the layout needs {_layout.TotalLength}", nameof(meanGradient));
        var tensorNorms = new double[_sliceLengths.Length];
        double globalNorm = ClipOps.GlobalNorm(meanGradient, _sliceLengths, tensorNorms);
        return Decide(tensorNorms, globalNorm);
    }

    /// <summary>The clip policy's decision for measured norms (<see cref="PartsUpdate"/> measures them its own way).</summary>
    internal ClipDecision Decide(double[] tensorNorms, double globalNorm) => Policy.Decide(tensorNorms, globalNorm);

    /// <summary>
    /// Applies one step to θ from the mean gradient g and its <paramref name="decision"/>. A non-finite g is
    /// skipped (θ untouched) or, under policy abort, throws <see cref="NonFiniteGradientException"/>.
    /// </summary>
    public StepStatistics Apply(Span<float> theta, ReadOnlySpan<float> meanGradient, long step, double meanLoss, ClipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (theta.Length != _layout.TotalLength)
            throw new ArgumentException($"θ has {theta.Length} floats; the layout needs {_layout.TotalLength}", nameof(theta));
        if (!decision.Finite) return NotFinite(step, meanLoss, decision);
        double learningRate = Schedule.At(step);
        if (Policy.ScalesUnits)
        {
            var scaled = meanGradient.ToArray(); // AGC's pass rewrites g; the caller's buffer stays as it was
            decision = UnitsScaled(decision, Policy.ScaleUnits(scaled, theta));
            Optimizer.Apply(theta, scaled, learningRate, 1f);
        }
        else if (decision.TensorScales is { } scales)
        {
            for (int k = 0; k < scales.Length; k++) // per-tensor: each tensor's own scale on its slice of θ, g and the optimizer's state
            {
                var s = _layout.Slices[k];
                Optimizer.UpdateRange(s.Of(theta), s.Of(meanGradient), s.Offset, learningRate, scales[k]);
            }
            Optimizer.CountStep();
        }
        else Optimizer.Apply(theta, meanGradient, learningRate, decision.Scale);
        Policy.Commit(decision);
        return Statistics(step, meanLoss, decision, skipped: false);
    }

    /// <summary><see cref="Measure"/> then <see cref="Apply(Span{float}, ReadOnlySpan{float}, long, double, ClipDecision)"/>.</summary>
    public StepStatistics Apply(Span<float> theta, ReadOnlySpan<float> meanGradient, long step, double meanLoss)
        => Apply(theta, meanGradient, step, meanLoss, Measure(meanGradient));

    /// <summary>A non-finite g: the step skipped (θ untouched), or <see cref="NonFiniteGradientException"/> under policy abort.</summary>
    internal StepStatistics NotFinite(long step, double meanLoss, ClipDecision decision)
    {
        if (NonFinite == NonFinitePolicy.Abort)
            throw new NonFiniteGradientException($"step {step}: the gradient's global norm is {decision.GlobalNorm} (loss {meanLoss}); the run was aborted (policy abort). Lower the learning rate, clip, or use --nonfinite skip.");
        return Statistics(step, meanLoss, decision, skipped: true);
    }

    internal StepStatistics Statistics(long step, double meanLoss, ClipDecision d, bool skipped)
        => new(step, meanLoss, d.GlobalNorm, d.ClippedNorm, d.Scale, d.Clipped, skipped, d.TensorNorms, Schedule.At(step)) { ClipThreshold = d.Threshold };

    /// <summary>The decision as reported after AGC's pass: post-clip norm as measured, scale post/pre.</summary>
    internal static ClipDecision UnitsScaled(ClipDecision d, double postNorm)
        => d with { ClippedNorm = postNorm, Scale = d.GlobalNorm > 0 ? (float)(postNorm / d.GlobalNorm) : 1f };
}
