using ILGPU;
using ILGPU.Runtime;
using Thresher.Core.Model;

namespace Thresher.Gpu;

/// <summary>
/// The MLP's forward and backward pass on the device, step for step <see cref="Mlp.Gradient"/>: gather the rows,
/// forward (GEMM, fused bias + ReLU), loss and δ_L, backward (GEMMs, fused ReLU mask + bias gradient). Owns the
/// activations of up to maxBatch rows; θ, the gradient and the row indices are the caller's device buffers, so
/// the worker backend and the device-resident trainer share it. Everything is queued on one stream; nothing
/// waits. Dimension letters: B = rows of this step, L = depth, size_l = layer widths.
/// </summary>
internal sealed class MlpPass : IDisposable
{
    readonly GpuKernels _kernels;
    readonly ParameterLayout _layout;
    readonly MemoryBuffer1D<float, Stride1D.Dense> _x;         // [B, inputs]
    readonly MemoryBuffer1D<byte, Stride1D.Dense> _labels;     // [B]
    readonly MemoryBuffer1D<float, Stride1D.Dense>[] _h;       // h_l [B, size_l], l = 1..L (index l−1); h_L = logits
    readonly MemoryBuffer1D<float, Stride1D.Dense>[] _delta;   // δ_l [B, size_l]
    readonly MemoryBuffer1D<float, Stride1D.Dense> _partial;   // [⌈B / chunk⌉, max size_l] bias-gradient partial sums
    readonly MemoryBuffer1D<double, Stride1D.Dense> _rowLoss;  // [B]

    /// <summary>Allocates the workspace; call with the accelerator bound (under the runtime's gate).</summary>
    public MlpPass(GpuRuntime runtime, ParameterLayout layout, int maxBatch, IGemmForms gemm)
    {
        _kernels = runtime.Kernels;
        _layout = layout;
        Gemm = gemm;
        MaxBatch = maxBatch;
        var a = runtime.Accelerator;
        var layers = layout.Config.Layers;
        int depth = layout.Config.Depth;
        _x = a.Allocate1D<float>((long)maxBatch * layers[0]);
        _labels = a.Allocate1D<byte>(maxBatch);
        _h = new MemoryBuffer1D<float, Stride1D.Dense>[depth];
        _delta = new MemoryBuffer1D<float, Stride1D.Dense>[depth];
        for (int l = 0; l < depth; l++)
        {
            _h[l] = a.Allocate1D<float>((long)maxBatch * layers[l + 1]);
            _delta[l] = a.Allocate1D<float>((long)maxBatch * layers[l + 1]);
        }
        _partial = a.Allocate1D<float>((long)_kernels.PartialChunks(maxBatch) * layers.Skip(1).Max());
        _rowLoss = a.Allocate1D<double>(maxBatch);
    }

    public IGemmForms Gemm { get; }

    public int MaxBatch { get; }

    /// <summary>
    /// grad[P] = gradScale · ∇θ Σ_rows loss and lossSum[0] = Σ_rows loss, for x_r = pixels[rows[r]] / inputScale,
    /// r &lt; batch. Queued on <paramref name="stream"/>; θ, rows and the data must stay put until it has run.
    /// </summary>
    public void Run(AcceleratorStream stream, DeviceSplit data, ArrayView<int> rows, int batch, ArrayView<float> theta, ArrayView<float> grad,
        ArrayView<double> lossSum, float inputScale, LossKind loss, float gradScale)
    {
        var k = _kernels;
        var layers = _layout.Config.Layers;
        int depth = _layout.Config.Depth;
        ArrayView<float> x = _x.View;
        Forward(stream, data, rows, batch, theta, inputScale);

        // δ_L = gradScale · ∂loss/∂logits, and the loss sum.
        int outputs = layers[depth];
        ArrayView<float> deltaL = _delta[depth - 1].View;
        k.Loss(stream, loss == LossKind.CrossEntropy, deltaL, _rowLoss.View, lossSum, _h[depth - 1].View, _labels.View, batch, outputs, gradScale);
        k.BiasGradient(stream, Slice(grad, _layout.Bias(depth - 1)), _partial.View, deltaL, deltaL, batch, outputs, relu: false);

        for (int l = depth - 1; l >= 0; l--)
        {
            int kIn = layers[l], nOut = layers[l + 1];
            ArrayView<float> input = l == 0 ? x : _h[l - 1].View, dY = _delta[l].View;
            Gemm.WeightGradient(stream, Slice(grad, _layout.Weight(l)), input, dY, batch, kIn, nOut);
            if (l == 0) break;
            // δ_{l−1} = (δ_l · w_lᵀ) ⊙ [h_{l−1} > 0]; its bias gradient in the same pass.
            ArrayView<float> dX = _delta[l - 1].View;
            Gemm.InputGradient(stream, dX, dY, Slice(theta, _layout.Weight(l)), batch, kIn, nOut);
            k.BiasGradient(stream, Slice(grad, _layout.Bias(l - 1)), _partial.View, dX, _h[l - 1].View, batch, kIn, relu: true);
        }
    }

    /// <summary>Gather and the forward pass of <paramref name="batch"/> rows: the logits h_L and the labels stay in the workspace.</summary>
    public void Forward(AcceleratorStream stream, DeviceSplit data, ArrayView<int> rows, int batch, ArrayView<float> theta, float inputScale)
    {
        var k = _kernels;
        var layers = _layout.Config.Layers;
        ArrayView<float> x = _x.View;
        k.Gather(stream, x, _labels.View, data.Pixels.View, data.Labels.View, rows, batch, layers[0], inputScale);
        for (int l = 0; l < _layout.Config.Depth; l++)
        {
            int kIn = layers[l], nOut = layers[l + 1];
            ArrayView<float> input = l == 0 ? x : _h[l - 1].View, h = _h[l].View;
            Gemm.Forward(stream, h, input, Slice(theta, _layout.Weight(l)), batch, kIn, nOut);
            if (l < _layout.Config.Depth - 1) k.BiasReluForward(stream, h, Slice(theta, _layout.Bias(l)), batch, nOut);
            else k.BiasAdd(stream, h, Slice(theta, _layout.Bias(l)), batch, nOut);
        }
    }

    /// <summary>correct[0] += the rows of the last <see cref="Forward"/> (the first <paramref name="batch"/>) whose arg-max logit is their label.</summary>
    public void CountCorrect(AcceleratorStream stream, ArrayView<int> correct, int batch) =>
        _kernels.CountCorrect(stream, correct, _h[^1].View, _labels.View, batch, _layout.Config.Layers[^1]);

    static ArrayView<float> Slice(ArrayView<float> flat, ParameterSlice slice) => flat.SubView(slice.Offset, slice.Length);

    /// <summary>Frees the workspace and the GEMM forms; call with the accelerator bound.</summary>
    public void Dispose()
    {
        foreach (var buffer in _h.Concat(_delta).Append(_x).Append(_partial)) buffer.Dispose();
        _labels.Dispose();
        _rowLoss.Dispose();
        Gemm.Dispose();
    }
}
