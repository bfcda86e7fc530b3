using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Thresher.Core.Ops;
using Thresher.Core.Optim;
using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Core.Sharding;

/// <summary>
/// One shard of a sharded parameter server: its slice of θ (float32 bytes, the wire format), its slice of the
/// optimizer's state (an <see cref="Optimizer"/> over the slice's elements) and its sum buffer. A step, shard side:
/// <see cref="Measure"/> sums the W workers' slices in worker order exactly as <see cref="PartsUpdate"/> does on the
/// whole gradient (W = 1: the part; W = 2: the fused sum-and-square pass; more: (g₀ + g₁) + g₂ …, element-wise) and
/// returns each of its tensors' Σ g² (double, <see cref="ClipOps.SumOfSquares"/> per tensor: the same blocks in the same order as the unsharded server's threads);
/// <see cref="Apply"/> then applies the coordinator's decision to its elements. Element-wise work gives the same bits
/// on any split, and the per-tensor sums are whole tensors' (see <see cref="ShardPlan"/>), so S shards give the bits of one.
/// Not thread-safe; one per shard grain.
/// </summary>
public sealed class ParameterShard
{
    readonly int[] _offsets, _lengths; // the shard's tensors, offsets relative to the shard's first element
    readonly AdaptiveGradientClip? _agc;
    readonly byte[] _sum;
    byte[]? _gradient;                 // g after the last Measure (a part, or the sum buffer); null once applied

    /// <param name="optimizer">An optimizer over the shard's <see cref="ShardRange.Length"/> elements (its state slice restored).</param>
    /// <param name="policy">The run's clip policy (only AGC matters here: its unit-wise pass runs on the shard).</param>
    public ParameterShard(ShardPlan plan, int shard, byte[] theta, Optimizer optimizer, ClipPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(policy);
        Range = plan.Shards[shard];
        if (theta.Length != Range.Length * sizeof(float))
            throw new ArgumentException($"shard {shard}'s θ has {theta.Length / sizeof(float)} floats; it holds {Range.Length}", nameof(theta));
        if (optimizer.Velocity.Length + optimizer.ExpAvg.Length > 0 && Math.Max(optimizer.Velocity.Length, optimizer.ExpAvg.Length) != Range.Length)
            throw new ArgumentException($"shard {shard}'s optimizer keeps state for another length than its {Range.Length} elements", nameof(optimizer));
        var tensors = Enumerable.Range(Range.FirstTensor, Range.Tensors).Select(k => plan.Layout.Slices[k]).ToArray();
        _offsets = [.. tensors.Select(t => t.Offset - Range.Offset)];
        _lengths = [.. tensors.Select(t => t.Length)];
        _agc = policy as AdaptiveGradientClip;
        if (_agc is not null && !plan.WholeLayers) throw new ArgumentException("agc needs a plan that keeps whole layers together", nameof(plan));
        Theta = theta;
        Optimizer = optimizer;
        _sum = new byte[theta.Length];
    }

    public ShardRange Range { get; }

    /// <summary>θ's slice, float32 bytes; changed in place by <see cref="Apply"/> only.</summary>
    public byte[] Theta { get; }

    /// <summary>The optimizer's state for the slice (offsets relative to the slice) and the step count.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Σ_w of the workers' slices (worker order, each float32 bytes of this shard's length) and each tensor's Σ g², tensor order.</summary>
    public double[] Measure(IReadOnlyList<byte[]> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("no gradient parts", nameof(parts));
        foreach (var part in parts)
            if (part.Length != _sum.Length)
                throw new ArgumentException($"a gradient slice has {part.Length / sizeof(float)} floats; shard {Range.Index} holds {Range.Length}", nameof(parts));
        byte[] measured = parts[0];
        byte[]? second = parts.Count == 2 ? parts[1] : null;
        if (parts.Count > 2)
        {
            TensorPrimitives.Add(Floats(parts[0]), Floats(parts[1]), Floats(_sum));
            for (int w = 2; w < parts.Count; w++) TensorPrimitives.Add(Floats(_sum), Floats(parts[w]), Floats(_sum));
            measured = _sum;
        }
        var sums = new double[_lengths.Length];
        for (int k = 0; k < sums.Length; k++)
        {
            var range = new Range(_offsets[k], _offsets[k] + _lengths[k]);
            sums[k] = second is null
                ? ClipOps.SumOfSquares(Floats(measured)[range])
                : ClipOps.SumOfSquaresOfSum(Floats(measured)[range], Floats(second)[range], Floats(_sum)[range]);
        }
        _gradient = parts.Count == 1 ? parts[0] : _sum;
        return sums;
    }

    /// <summary>
    /// Applies the step just measured: the optimizer on the slice at the decision's rate, with its scale (or this shard's
    /// tensors' scales), then counts the step. Under AGC its unit-wise pass first rescales g (in the sum buffer, never in a
    /// worker's slice) and the scale is 1; returns that pass's per-layer post-clip Σ (layer order), else null.
    /// </summary>
    public double[]? Apply(ShardDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var gradient = _gradient ?? throw new InvalidOperationException($"shard {Range.Index}: apply without a measured step (or applied twice)");
        _gradient = null;
        var theta = Floats(Theta);
        double[]? layerSums = null;
        float scale = decision.Scale;
        if (_agc is not null)
        {
            if (!ReferenceEquals(gradient, _sum)) gradient.CopyTo(_sum, 0);
            gradient = _sum;
            layerSums = _agc.ScaleLayers(Floats(gradient), theta, Range.FirstTensor / 2, Range.Tensors / 2);
            scale = 1f;
        }
        if (decision.TensorScales is { } scales && _agc is null)
        {
            for (int k = 0; k < _lengths.Length; k++)
                Optimizer.UpdateRange(theta.Slice(_offsets[k], _lengths[k]), Floats(gradient).Slice(_offsets[k], _lengths[k]), _offsets[k],
                    decision.LearningRate, scales[Range.FirstTensor + k]);
        }
        else Optimizer.UpdateRange(theta, Floats(gradient), 0, decision.LearningRate, scale);
        Optimizer.CountStep();
        return layerSums;
    }

    /// <summary>A step measured but not applied (skipped by the coordinator): forget its gradient.</summary>
    public void Discard() => _gradient = null;

    static Span<float> Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
}
