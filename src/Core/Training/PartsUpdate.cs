using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Thresher.Core.Kernels;
using Thresher.Core.Ops;

namespace Thresher.Core.Training;

/// <summary>
/// The parameter server's half of a step when the mean gradient arrives in W parts, g = Σ_w g_w (worker order),
/// and θ lives as float32 bytes (the wire format): sum, norms, clip_by_global_norm and the optimizer of
/// <see cref="UpdateRule"/>, in fewer passes and on up to <see cref="Threads"/> threads. Bit-identical to summing
/// the parts into one buffer ((g₀ + g₁) + g₂ …) and calling <see cref="UpdateRule.Apply(Span{float}, ReadOnlySpan{float}, long, double)"/>:
/// each tensor's Σ g² is <see cref="ClipOps.SumOfSquares"/>'s (for two parts fused with the sum,
/// <see cref="ClipOps.SumOfSquaresOfSum"/>'s), whose blocks the threads share (<see cref="NormBlockPlan"/>: block sums
/// added back in block order, so any thread count gives the serial bits), the tensors' sums added in layout order; sum and
/// the optimizer are element-wise, so how they are split over threads does not matter. One parameter server owns one instance (it holds the sum buffer).
/// </summary>
public sealed class PartsUpdate
{
    readonly UpdateRule _rule;
    readonly int[] _offsets, _lengths; // per tensor, layout order
    readonly NormBlockPlan _blocks;    // the norm pass's blocks and which thread sums which
    readonly byte[] _sum;              // [P] float32: Σ_w g_w when W ≥ 2

    /// <param name="threads">Threads the norms and the update may use (≥ 1); results are the same bits for any count.</param>
    public PartsUpdate(UpdateRule rule, int threads)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _rule = rule;
        _offsets = [.. rule.Layout.Slices.Select(s => s.Offset)];
        _lengths = [.. rule.Layout.Slices.Select(s => s.Length)];
        Threads = threads;
        _blocks = new NormBlockPlan(_offsets, _lengths, threads);
        _sum = new byte[rule.Layout.TotalLength * sizeof(float)];
    }

    public UpdateRule Rule => _rule;

    public int Threads { get; }

    /// <summary>
    /// Norms and clip decision of g = Σ parts (each float32 bytes, layout order, P floats). With two or more
    /// parts it also writes g into this instance's sum buffer, which the following <see cref="Apply"/> reads.
    /// </summary>
    public ClipDecision Measure(IReadOnlyList<byte[]> parts)
    {
        CheckParts(parts);
        // One part is g itself. Two: g₀ + g₁ is written into the sum by the norm pass. More: summed here first.
        byte[] measured = parts[0];
        byte[]? second = parts.Count == 2 ? parts[1] : null;
        if (parts.Count > 2)
        {
            TensorPrimitives.Add(Floats(parts[0]), Floats(parts[1]), Floats(_sum));
            for (int w = 2; w < parts.Count; w++) TensorPrimitives.Add(Floats(_sum), Floats(parts[w]), Floats(_sum));
            measured = _sum;
        }
        var blockSums = new double[_blocks.Blocks];
        Run(_blocks.Threads, t => MeasureBlocks(t, measured, second, blockSums));
        return Decide(_blocks.TensorSums(blockSums));
    }

    /// <summary>
    /// Applies the step to θ (float32 bytes) with the <paramref name="decision"/> <see cref="Measure"/> just made for
    /// the same <paramref name="parts"/>. Non-finite g: skipped or aborted per the rule's policy, θ untouched.
    /// </summary>
    public StepStatistics Apply(byte[] theta, IReadOnlyList<byte[]> parts, long step, double meanLoss, ClipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(theta);
        CheckTheta(theta.Length / sizeof(float), theta.Length == _sum.Length);
        return Apply(new Parameters(theta, null), parts, step, meanLoss, decision);
    }

    /// <summary>The same for θ held as floats (the single-process trainer's), updated in place.</summary>
    public StepStatistics Apply(float[] theta, IReadOnlyList<byte[]> parts, long step, double meanLoss, ClipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(theta);
        CheckTheta(theta.Length, theta.Length * sizeof(float) == _sum.Length);
        return Apply(new Parameters(null, theta), parts, step, meanLoss, decision);
    }

    void CheckTheta(int floats, bool fits)
    {
        if (!fits) throw new ArgumentException($"θ has {floats} floats; the layout needs {_sum.Length / sizeof(float)}", "theta");
    }

    StepStatistics Apply(Parameters theta, IReadOnlyList<byte[]> parts, long step, double meanLoss, ClipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        CheckParts(parts);
        byte[] gradient = parts.Count == 1 ? parts[0] : _sum;
        if (!decision.Finite) return _rule.Apply(theta.Floats, Floats(gradient), step, meanLoss, decision); // skip or abort: θ untouched
        float scale = decision.Scale;
        if (_rule.Policy.ScalesUnits) // AGC: its own pass rescales g in the sum buffer (never in a worker's reply), then scale 1
        {
            if (parts.Count == 1) parts[0].CopyTo(_sum, 0);
            gradient = _sum;
            decision = UpdateRule.UnitsScaled(decision, _rule.Policy.ScaleUnits(Floats(_sum), theta.Floats));
            scale = 1f;
        }
        int chunks = 2 * Threads;
        double learningRate = _rule.Schedule.At(step);
        Run(chunks, chunk => Update(theta, gradient, chunk, chunks, learningRate, scale, decision.TensorScales));
        _rule.Optimizer.CountStep();
        _rule.Policy.Commit(decision);
        return _rule.Statistics(step, meanLoss, decision, skipped: false);
    }

    void CheckParts(IReadOnlyList<byte[]> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("no gradient parts", nameof(parts));
        foreach (var part in parts)
            if (part.Length != _sum.Length)
                throw new ArgumentException($"a gradient part has {part.Length / sizeof(float)} floats; the layout needs {_sum.Length / sizeof(float)}", nameof(parts));
    }

    ClipDecision Decide(double[] sumsOfSquares) => Decide(_rule, sumsOfSquares);

    /// <summary>
    /// Tensor norms and the global norm from the per-tensor Σ x², added in layout order as ClipOps.GlobalNorm does; the
    /// sharded parameter server's coordinator decides from its shards' sums with this same code.
    /// </summary>
    internal static ClipDecision Decide(UpdateRule rule, double[] sumsOfSquares)
    {
        var tensorNorms = new double[sumsOfSquares.Length];
        double total = 0;
        for (int k = 0; k < sumsOfSquares.Length; k++)
        {
            tensorNorms[k] = Math.Sqrt(sumsOfSquares[k]);
            total += sumsOfSquares[k];
        }
        return rule.Decide(tensorNorms, Math.Sqrt(total));
    }

    /// <summary>Σ x² of each block thread <paramref name="thread"/> sums: of a alone, or of a + b (then written to the sum).</summary>
    void MeasureBlocks(int thread, byte[] a, byte[]? b, double[] blockSums)
    {
        var (first, last) = _blocks.BlocksOf(thread);
        for (int block = first; block < last; block++)
        {
            var range = _blocks.Block(block);
            blockSums[block] = b is null
                ? ClipOps.SumOfSquaresOfBlock(Floats(a)[range])
                : ClipOps.SumOfSquaresOfSumOfBlock(Floats(a)[range], Floats(b)[range], Floats(_sum)[range]);
        }
    }

    /// <summary>
    /// The optimizer on chunk <paramref name="chunk"/> of <paramref name="chunks"/> element ranges (boundaries at multiples
    /// of 64 floats), with one scale, or each tensor's (per-tensor policy) on its part of the chunk.
    /// </summary>
    void Update(Parameters theta, byte[] gradient, int chunk, int chunks, double learningRate, float scale, float[]? tensorScales)
    {
        int n = _sum.Length / sizeof(float);
        int first = Boundary(n, chunk, chunks), last = Boundary(n, chunk + 1, chunks);
        if (tensorScales is null)
        {
            Update(theta, gradient, first, last, learningRate, scale);
            return;
        }
        for (int k = 0; k < tensorScales.Length; k++)
        {
            int from = Math.Max(first, _offsets[k]), to = Math.Min(last, _offsets[k] + _lengths[k]);
            if (from < to) Update(theta, gradient, from, to, learningRate, tensorScales[k]);
        }
    }

    /// <summary>The optimizer on elements [first, last) with the clip scale folded in (the step is counted once, by the caller).</summary>
    void Update(Parameters theta, byte[] gradient, int first, int last, double learningRate, float scale)
    {
        _rule.Optimizer.UpdateRange(theta.Floats[first..last], Floats(gradient)[first..last], first, learningRate, scale);
    }

    static int Boundary(int n, int chunk, int chunks) => chunk == chunks ? n : (int)((long)n * chunk / chunks) & ~63;

    /// <summary>
    /// body(0..count-1): on the calling thread alone when Threads is 1, else split into Threads contiguous ranges on the
    /// kernel team (spinning helpers: a step's passes are ~50–200 µs, shorter than a thread-pool wake-up is reliable
    /// for), or on the thread pool when the team is busy — never on the caller's TaskScheduler, which may be a grain's.
    /// </summary>
    void Run(int count, Action<int> body)
    {
        int threads = Math.Min(Threads, count);
        if (threads <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        KernelParallel.Fork(threads, t =>
        {
            var (first, last) = KernelParallel.Range(t, threads, count);
            for (int i = first; i < last; i++) body(i);
        });
    }

    static Span<float> Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan());

    /// <summary>θ where its owner keeps it, never copied: float32 bytes (the parameter server's wire format) or floats (the trainer's).</summary>
    readonly struct Parameters(byte[]? bytes, float[]? floats)
    {
        public Span<float> Floats => floats is not null ? floats.AsSpan() : PartsUpdate.Floats(bytes!);
    }
}
