using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Gpu;

/// <summary>
/// One worker's forward/backward on an ILGPU accelerator, step for step the same as <see cref="Mlp.Gradient"/>.
/// The dataset split lives on the device (uploaded once); per step θ [P] and the row indices [B] go in, the
/// gradient [P] and the loss sum come back. Activations and deltas never leave the device.
/// Dimension letters: B = rows of this step, L = depth, size_l = layer widths.
/// </summary>
public sealed class IlgpuGradientBackend : IGradientBackend
{
    readonly GpuRuntime _runtime;
    readonly ParameterLayout _layout;
    readonly int _maxBatch;
    readonly MemoryBuffer1D<float, Stride1D.Dense> _theta;     // [P]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _grad;      // [P]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _x;         // [B, inputs]
    readonly MemoryBuffer1D<byte, Stride1D.Dense> _labels;     // [B]
    readonly MemoryBuffer1D<int, Stride1D.Dense> _rows;        // [B]
    readonly MemoryBuffer1D<float, Stride1D.Dense>[] _h;       // h_l [B, size_l], l = 1..L (index l−1); h_L = logits
    readonly MemoryBuffer1D<float, Stride1D.Dense>[] _delta;   // δ_l [B, size_l]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _partial;   // [⌈B / chunk⌉, max size_l] bias-gradient partial sums
    readonly MemoryBuffer1D<double, Stride1D.Dense> _rowLoss;  // [B]
    readonly MemoryBuffer1D<double, Stride1D.Dense> _lossSum;  // [1]
    readonly double[] _lossHost = new double[1];

    public IlgpuGradientBackend(GpuRuntime runtime, MlpConfig layers, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _runtime = runtime;
        _layout = new ParameterLayout(layers);
        _maxBatch = maxBatch;
        var a = runtime.Accelerator;
        lock (runtime.Gate)
        {
            a.Bind();
            _theta = a.Allocate1D<float>(_layout.TotalLength);
            _grad = a.Allocate1D<float>(_layout.TotalLength);
            _x = a.Allocate1D<float>((long)maxBatch * layers.Inputs);
            _labels = a.Allocate1D<byte>(maxBatch);
            _rows = a.Allocate1D<int>(maxBatch);
            _h = new MemoryBuffer1D<float, Stride1D.Dense>[layers.Depth];
            _delta = new MemoryBuffer1D<float, Stride1D.Dense>[layers.Depth];
            for (int l = 0; l < layers.Depth; l++)
            {
                _h[l] = a.Allocate1D<float>((long)maxBatch * layers.Layers[l + 1]);
                _delta[l] = a.Allocate1D<float>((long)maxBatch * layers.Layers[l + 1]);
            }
            _partial = a.Allocate1D<float>((long)runtime.Kernels.PartialChunks(maxBatch) * layers.Layers.Skip(1).Max());
            _rowLoss = a.Allocate1D<double>(maxBatch);
            _lossSum = a.Allocate1D<double>(1);
        }
    }

    public string Name => _runtime.Name;

    public double Gradient(Span<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale, LossKind loss, float gradScale)
    {
        ArgumentNullException.ThrowIfNull(split);
        Check(grad, theta, split, rows, inputScale);
        lock (_runtime.Gate)
        {
            var accelerator = _runtime.Accelerator;
            accelerator.Bind(); // grain turns hop threads; the CUDA context must be current on this one
            var data = _runtime.Upload(split);
            View(_theta).CopyFromCPU(theta);
            View(_rows).SubView(0, rows.Length).CopyFromCPU(rows);
            var stream = accelerator.DefaultStream;
            Run(stream, data, rows.Length, inputScale, loss, gradScale);
            stream.Synchronize();
            View(_grad).CopyToCPU(grad);
            View(_lossSum).CopyToCPU(_lossHost.AsSpan());
            return _lossHost[0];
        }
    }

    /// <summary>The whole step on the device: gather, forward, loss, backward (mirrors Mlp.Gradient).</summary>
    void Run(AcceleratorStream stream, DeviceSplit data, int batch, float inputScale, LossKind loss, float gradScale)
    {
        var k = _runtime.Kernels;
        var config = _layout.Config;
        var layers = config.Layers;
        int depth = config.Depth;
        ArrayView<float> theta = View(_theta), grad = View(_grad), x = View(_x);
        k.Gather(stream, x, View(_labels), data.Pixels.View, data.Labels.View, View(_rows), batch, config.Inputs, inputScale);

        for (int l = 0; l < depth; l++)
        {
            int kIn = layers[l], nOut = layers[l + 1];
            ArrayView<float> input = l == 0 ? x : View(_h[l - 1]), h = View(_h[l]);
            k.Gemm(stream, h, input, Slice(theta, _layout.Weight(l)), k.Forward(batch, kIn, nOut));
            if (l < depth - 1) k.BiasReluForward(stream, h, Slice(theta, _layout.Bias(l)), batch, nOut);
            else k.BiasAdd(stream, h, Slice(theta, _layout.Bias(l)), batch, nOut);
        }

        // δ_L = gradScale · ∂loss/∂logits, and the loss sum.
        int outputs = config.Outputs;
        ArrayView<float> deltaL = View(_delta[depth - 1]);
        k.Loss(stream, loss == LossKind.CrossEntropy, deltaL, View(_rowLoss), View(_lossSum), View(_h[depth - 1]), View(_labels), batch, outputs, gradScale);
        k.BiasGradient(stream, Slice(grad, _layout.Bias(depth - 1)), View(_partial), deltaL, deltaL, batch, outputs, relu: false);

        for (int l = depth - 1; l >= 0; l--)
        {
            int kIn = layers[l], nOut = layers[l + 1];
            ArrayView<float> input = l == 0 ? x : View(_h[l - 1]), dY = View(_delta[l]);
            k.Gemm(stream, Slice(grad, _layout.Weight(l)), input, dY, k.WeightGradient(batch, kIn, nOut));
            if (l == 0) break;
            // δ_{l−1} = (δ_l · w_lᵀ) ⊙ [h_{l−1} > 0]; its bias gradient in the same pass.
            ArrayView<float> dX = View(_delta[l - 1]);
            k.Gemm(stream, dX, dY, Slice(theta, _layout.Weight(l)), k.InputGradient(batch, kIn, nOut));
            k.BiasGradient(stream, Slice(grad, _layout.Bias(l - 1)), View(_partial), dX, View(_h[l - 1]), batch, kIn, relu: true);
        }
    }

    void Check(ReadOnlySpan<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale)
    {
        if (grad.Length != _layout.TotalLength)
            throw new ArgumentException($"gradient buffer has {grad.Length} floats, layout needs {_layout.TotalLength}", nameof(grad));
        if (theta.Length != _layout.TotalLength)
            throw new ArgumentException($"parameter buffer has {theta.Length} floats, layout needs {_layout.TotalLength}", nameof(theta));
        if (rows.Length > _maxBatch)
            throw new ArgumentOutOfRangeException(nameof(rows), rows.Length, $"batch must be in 0..{_maxBatch}");
        if (split.Features != _layout.Config.Inputs)
            throw new ArgumentException($"split has {split.Features} features, the model takes {_layout.Config.Inputs}", nameof(split));
        if (!(inputScale > 0) || !float.IsFinite(inputScale))
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "input scale must be a positive finite number");
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)split.Count)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"sample index outside 0..{split.Count - 1} of the {split.Name} split");
        }
        if (split.MaxLabel >= _layout.Config.Outputs)
            throw new ArgumentException($"split has label {split.MaxLabel}, the model has {_layout.Config.Outputs} outputs", nameof(split));
    }

    static ArrayView<T> View<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer) where T : unmanaged => buffer.View;

    static ArrayView<float> Slice(ArrayView<float> flat, ParameterSlice slice) => flat.SubView(slice.Offset, slice.Length);

    public void Dispose()
    {
        lock (_runtime.Gate)
        {
            _runtime.Accelerator.Bind();
            foreach (var buffer in _h.Concat(_delta).Append(_theta).Append(_grad).Append(_x).Append(_partial)) buffer.Dispose();
            _labels.Dispose();
            _rows.Dispose();
            _rowLoss.Dispose();
            _lossSum.Dispose();
        }
    }
}
