using ILGPU;
using ILGPU.Runtime;
using Thresher.Core.Kernels;
using Thresher.Core.Model;
using Thresher.Core.Optim;

namespace Thresher.Gpu;

/// <summary>
/// The server half of a step on the device (<see cref="UpdateKernels"/>): per-tensor Σg², global norm and clip
/// scale, then the optimizer with its state (SGD's momentum buffer, Adam's m and v) resident on the device. The
/// host passes only what it already knows — the step's learning rate and the optimizer's update count — so
/// nothing waits between the gradient and the update. K = tensors, C = chunks of θ's layout.
/// </summary>
internal sealed class DeviceUpdate : IDisposable
{
    /// <summary>Elements per norm chunk; a chunk never crosses a tensor, so per-tensor sums come out exact.</summary>
    const int ChunkElements = 16384;

    readonly GpuRuntime _runtime;
    readonly OptimizerOptions _optimizer;
    readonly float _clip;                                            // ≤ 0: no clipping
    readonly int _chunks;
    readonly MemoryBuffer1D<int, Stride1D.Dense> _chunkStart;       // [C]
    readonly MemoryBuffer1D<int, Stride1D.Dense> _chunkLength;      // [C]
    readonly MemoryBuffer1D<int, Stride1D.Dense> _tensorChunks;     // [K + 1]
    readonly MemoryBuffer1D<double, Stride1D.Dense> _partial;       // [C]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _scale;          // [1]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _stateA;         // [P] momentum buffer or exp_avg (or [1] unused)
    readonly MemoryBuffer1D<float, Stride1D.Dense> _stateB;         // [P] exp_avg_sq (or [1] unused)
    readonly UpdateLaunchers _launch;

    /// <summary>Call with the accelerator bound. <paramref name="clip"/>: clip_by_global_norm's c, or null.</summary>
    public DeviceUpdate(GpuRuntime runtime, ParameterLayout layout, OptimizerOptions optimizer, float? clip)
    {
        _runtime = runtime;
        _optimizer = optimizer;
        _clip = clip ?? 0f;
        Tensors = layout.Slices.Count;
        var (starts, lengths, tensorChunks) = Chunks(layout);
        _chunks = starts.Length;
        var a = runtime.Accelerator;
        _chunkStart = Upload(a, starts);
        _chunkLength = Upload(a, lengths);
        _tensorChunks = Upload(a, tensorChunks);
        _partial = a.Allocate1D<double>(_chunks);
        Sums = a.Allocate1D<double>(1 + Tensors);
        _scale = a.Allocate1D<float>(1);
        bool adam = optimizer.Kind.IsAdam(), momentum = !adam && optimizer.Momentum > 0;
        _stateA = a.Allocate1D<float>(adam || momentum ? layout.TotalLength : 1);
        _stateB = a.Allocate1D<float>(adam ? layout.TotalLength : 1);
        _stateA.MemSetToZero();
        _stateB.MemSetToZero();
        _launch = runtime.Updates;
    }

    /// <summary>K: tensors in θ's layout.</summary>
    public int Tensors { get; }

    /// <summary>[1 + K]: the step's loss sum (written by the pass), then each tensor's Σg² (written by <see cref="Measure"/>).</summary>
    public MemoryBuffer1D<double, Stride1D.Dense> Sums { get; }

    /// <summary>Queues the norms and the clip scale of <paramref name="grad"/>.</summary>
    public void Measure(AcceleratorStream stream, ArrayView<float> grad)
    {
        int group = _runtime.Tiles.ReduceGroup;
        _launch.SquarePartials(stream, new KernelConfig(new Index1D(_chunks), new Index1D(group), SharedMemoryConfig.RequestDynamic<double>(group)),
            _partial.View, grad, _chunkStart.View, _chunkLength.View);
        _launch.ClipScale(stream, new KernelConfig(new Index1D(1), new Index1D(1)), Sums.View, _scale.View, _partial.View, _tensorChunks.View, _clip);
    }

    /// <summary>
    /// Queues the optimizer's update of θ from g at <paramref name="learningRate"/>, as update number
    /// <paramref name="applied"/> + 1 (updates applied so far: Adam's bias correction, SGD's first step). The kernel
    /// skips itself when the measured scale is NaN; the caller then does not count the update.
    /// </summary>
    public void Apply(AcceleratorStream stream, ArrayView<float> theta, ArrayView<float> grad, double learningRate, long applied)
    {
        var o = _optimizer;
        int elements = theta.IntLength, group = _runtime.Tiles.ElementGroup;
        var config = new KernelConfig(new Index1D((elements + group - 1) / group), new Index1D(group));
        if (o.Kind.IsAdam())
        {
            var step = AdamStep.At(applied + 1, learningRate, 1f, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, decoupled: o.Kind == OptimizerKind.AdamW);
            _launch.Adam(stream, config, theta, grad, _stateA.View, _stateB.View, _scale.View, step);
        }
        else
        {
            var step = new SgdStep((float)learningRate, o.Momentum, o.Dampening, o.Nesterov, o.WeightDecay, 1f, First: applied == 0);
            _launch.Sgd(stream, config, theta, grad, _stateA.View, _scale.View, SgdScalars.From(step));
        }
    }

    /// <summary>Loads <paramref name="optimizer"/>'s buffers (a run going on from the host's mirror); call bound, before any step.</summary>
    public void LoadState(Optimizer optimizer)
    {
        var (a, b) = Buffers(optimizer);
        if (a.Length > 0) _stateA.View.SubView(0, a.Length).CopyFromCPU(a);
        if (b.Length > 0) _stateB.View.SubView(0, b.Length).CopyFromCPU(b);
    }

    /// <summary>The device's buffers into <paramref name="optimizer"/>, with <paramref name="applied"/> updates; call bound, synced.</summary>
    public void ReadState(Optimizer optimizer, long applied)
    {
        var (a, b) = Buffers(optimizer);
        var (velocity, expAvg, expAvgSq) = (new float[optimizer.Velocity.Length], new float[optimizer.ExpAvg.Length], new float[optimizer.ExpAvgSq.Length]);
        var (intoA, intoB) = _optimizer.Kind.IsAdam() ? (expAvg, expAvgSq) : (velocity, Array.Empty<float>());
        if (a.Length > 0) _stateA.View.SubView(0, a.Length).CopyToCPU(intoA);
        if (b.Length > 0) _stateB.View.SubView(0, b.Length).CopyToCPU(intoB);
        optimizer.Restore(velocity, expAvg, expAvgSq, applied);
    }

    /// <summary>The host optimizer's buffers that map to state A (SGD's momentum buffer or Adam's exp_avg) and B (exp_avg_sq); empty where it keeps none.</summary>
    (float[] A, float[] B) Buffers(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer.Options.Kind != _optimizer.Kind)
            throw new ArgumentException($"optimizer {optimizer.Options.Kind}, but the device runs {_optimizer.Kind}", nameof(optimizer));
        return _optimizer.Kind.IsAdam() ? (optimizer.ExpAvg, optimizer.ExpAvgSq) : (optimizer.Velocity, []);
    }

    /// <summary>Chunks of at most <see cref="ChunkElements"/> within each tensor: starts [C], lengths [C], each tensor's first chunk [K + 1].</summary>
    static (int[] Starts, int[] Lengths, int[] TensorChunks) Chunks(ParameterLayout layout)
    {
        var starts = new List<int>();
        var lengths = new List<int>();
        var tensorChunks = new int[layout.Slices.Count + 1];
        for (int k = 0; k < layout.Slices.Count; k++)
        {
            tensorChunks[k] = starts.Count;
            var slice = layout.Slices[k];
            for (int at = 0; at < slice.Length; at += ChunkElements)
            {
                starts.Add(slice.Offset + at);
                lengths.Add(Math.Min(ChunkElements, slice.Length - at));
            }
        }
        tensorChunks[^1] = starts.Count;
        return ([.. starts], [.. lengths], tensorChunks);
    }

    static MemoryBuffer1D<int, Stride1D.Dense> Upload(Accelerator accelerator, int[] values)
    {
        var buffer = accelerator.Allocate1D<int>(Math.Max(1, values.Length));
        buffer.View.SubView(0, values.Length).CopyFromCPU(values);
        return buffer;
    }

    public void Dispose()
    {
        foreach (var buffer in new[] { _chunkStart, _chunkLength, _tensorChunks }) buffer.Dispose();
        _partial.Dispose();
        Sums.Dispose();
        _scale.Dispose();
        _stateA.Dispose();
        _stateB.Dispose();
    }
}

/// <summary>The update kernels loaded once per accelerator (<see cref="GpuRuntime.Updates"/>), shared by every trainer on it.</summary>
internal sealed class UpdateLaunchers(Accelerator a)
{
    public Action<AcceleratorStream, KernelConfig, ArrayView<double>, ArrayView<float>, ArrayView<int>, ArrayView<int>> SquarePartials { get; } =
        a.LoadKernel<ArrayView<double>, ArrayView<float>, ArrayView<int>, ArrayView<int>>(UpdateKernels.SquarePartials);

    public Action<AcceleratorStream, KernelConfig, ArrayView<double>, ArrayView<float>, ArrayView<double>, ArrayView<int>, float> ClipScale { get; } =
        a.LoadKernel<ArrayView<double>, ArrayView<float>, ArrayView<double>, ArrayView<int>, float>(UpdateKernels.ClipScale);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep> Adam { get; } =
        a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep>(UpdateKernels.Adam);

    public Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdScalars> Sgd { get; } =
        a.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdScalars>(UpdateKernels.Sgd);
}
