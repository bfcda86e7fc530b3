using Thresher.Core.Ops;
using Thresher.Core.Training;

namespace Thresher.Core.Async;

/// <summary>
/// One stale push applied on its own (s ≥ 1). A push carries g_w, worker w's 1/W share of a clock's mean gradient
/// ((1/B)·∇Σ over its B/W rows, as in the synchronous step), so ĝ = W·g_w is the push's estimate of that mean gradient.
/// The clip policy judges ĝ: its per-tensor and global norms (‖ĝ‖ = W·‖g_w‖, from Σg² · W² in double) go to
/// <see cref="Optim.Clipping.ClipPolicy.Decide"/>, whose state (ZClip's EMAs, AutoClip's history) therefore holds the norms of
/// recent pushes; for global that is clip_by_global_norm on ĝ: scale = c / max(W·‖g_w‖, c). The optimizer then takes one
/// step on ĝ·scale at <see cref="StalenessRule.LearningRate"/> η(c) / (W · max(1, τ)) — the factor W is folded into the
/// optimizer's scale argument, so no copy of g_w is made (except AGC, whose pass rescales a copy using θ). For SGD this is
/// θ ← θ − η(c)/max(1, τ) · scale · g_w: a clock's W fresh pushes add up to one synchronous step to first order. With W = 1 and τ ≤ 1 it is the
/// synchronous step, bit for bit.
/// </summary>
public sealed class PushUpdate
{
    readonly UpdateRule _rule;
    readonly int _workers;
    readonly int[] _offsets, _lengths;
    float[]? _scaled; // AGC only: ĝ, rescaled per unit

    public PushUpdate(UpdateRule rule, int workers)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _rule = rule;
        _workers = workers;
        _offsets = [.. rule.Layout.Slices.Select(s => s.Offset)];
        _lengths = [.. rule.Layout.Slices.Select(s => s.Length)];
    }

    /// <summary>The policy's decision for ĝ = W·<paramref name="share"/> (norms of ĝ, threshold, scale), state untouched.</summary>
    public ClipDecision Measure(ReadOnlySpan<float> share)
    {
        if (share.Length != _rule.Layout.TotalLength)
            throw new ArgumentException($"a push has {share.Length} floats; the layout needs {_rule.Layout.TotalLength}", nameof(share));
        double w2 = (double)_workers * _workers;
        var sums = new double[_lengths.Length];
        for (int k = 0; k < sums.Length; k++) sums[k] = ClipOps.SumOfSquares(share.Slice(_offsets[k], _lengths[k])) * w2;
        return PartsUpdate.Decide(_rule, sums);
    }

    /// <summary>
    /// Applies the push (its <paramref name="decision"/> from <see cref="Measure"/>) to θ: non-finite → skipped (θ untouched)
    /// or <see cref="NonFiniteGradientException"/> per the rule's policy. Returns the statistics of ĝ at clock <paramref name="clock"/>.
    /// </summary>
    public StepStatistics Apply(Span<float> theta, ReadOnlySpan<float> share, long clock, long staleness, double meanLoss, ClipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!decision.Finite) return _rule.NotFinite(clock, meanLoss, decision);
        double learningRate = StalenessRule.LearningRate(_rule.Schedule.At(clock), staleness, _workers);
        float w = _workers;
        var optimizer = _rule.Optimizer;
        if (_rule.Policy.ScalesUnits)
        {
            _scaled ??= new float[share.Length];
            System.Numerics.Tensors.TensorPrimitives.Multiply(share, w, _scaled);
            decision = UpdateRule.UnitsScaled(decision, _rule.Policy.ScaleUnits(_scaled, theta));
            optimizer.Apply(theta, _scaled, learningRate, 1f);
        }
        else if (decision.TensorScales is { } scales)
        {
            for (int k = 0; k < scales.Length; k++)
                optimizer.UpdateRange(theta.Slice(_offsets[k], _lengths[k]), share.Slice(_offsets[k], _lengths[k]), _offsets[k], learningRate, w * scales[k]);
            optimizer.CountStep();
        }
        else optimizer.Apply(theta, share, learningRate, w * decision.Scale);
        _rule.Policy.Commit(decision);
        return _rule.Statistics(clock, meanLoss, decision, skipped: false);
    }
}
