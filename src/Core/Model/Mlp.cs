using Thresher.Core.Kernels;

namespace Thresher.Core.Model;

/// <summary>
/// Forward and backward passes of an MLP over a flat parameter buffer θ (see <see cref="ParameterLayout"/>).
/// Owns its activation workspace for up to <see cref="MaxBatch"/> rows, so one instance serves one
/// thread of work (a worker, an evaluator) and allocates nothing per call.
/// Dimension letters: B = batch rows, L = depth, size_l = Layers[l].
/// </summary>
public sealed class Mlp
{
    readonly float[][] _activations; // h_l [B, size_l] for l = 1..L (index l−1); h_L are the logits
    readonly float[][] _deltas;      // δ_l [B, size_l] for l = 1..L (index l−1): ∂loss/∂(pre-activation)
    int[]? _firstLayerBlocks;        // w1's row blocks (Gemm.KBlocks of the input width), for a streamed step

    public Mlp(MlpConfig config, int maxBatch, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Layout = new ParameterLayout(config);
        MaxBatch = maxBatch;
        Threads = threads;
        _activations = new float[config.Depth][];
        _deltas = new float[config.Depth][];
        for (int l = 0; l < config.Depth; l++)
        {
            _activations[l] = new float[maxBatch * config.Layers[l + 1]];
            _deltas[l] = new float[maxBatch * config.Layers[l + 1]];
        }
    }

    public ParameterLayout Layout { get; }

    public MlpConfig Config => Layout.Config;

    public int MaxBatch { get; }

    /// <summary>Threads each kernel call may use (≥ 1).</summary>
    public int Threads { get; set; }

    /// <summary>
    /// Forward pass: returns the logits [B, outputs], valid until the next call on this instance.
    /// x is [B, inputs].
    /// </summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> theta, ReadOnlySpan<float> x, int batch) => Forward(theta, x, batch, stream: null);

    /// <summary>The forward pass; with a <paramref name="stream"/>, layer 1 waits for each of w1's row blocks in turn, the rest for the tail.</summary>
    ReadOnlySpan<float> Forward(ReadOnlySpan<float> theta, ReadOnlySpan<float> x, int batch, IStepStream? stream)
    {
        CheckShapes(theta, x, batch);
        var layers = Config.Layers;
        ReadOnlySpan<float> input = x;
        for (int l = 0; l < Config.Depth; l++)
        {
            int k = layers[l], n = layers[l + 1];
            var h = _activations[l].AsSpan(0, batch * n);
            if (l == 0 && stream is not null) FirstLayerForward(h, input, theta, batch, stream);
            else Gemm.Forward(h, input, Layout.Weight(l).Of(theta), batch, k, n, accumulate: false, Threads);
            if (l == 0) stream?.AwaitParameters(Layout.TotalLength); // the tail: b1 onward
            if (l < Config.Depth - 1) Activation.BiasReluForward(h, Layout.Bias(l).Of(theta), batch, n);
            else Activation.BiasAdd(h, Layout.Bias(l).Of(theta), batch, n);
            input = h;
        }
        return input;
    }

    /// <summary>
    /// Forward + backward. Writes grad = gradScale · ∂(Σ_rows loss)/∂θ into <paramref name="grad"/> (layout
    /// order, overwritten) and returns the loss summed over the B rows (double). gradScale = 1/B gives the
    /// gradient of the mean loss; 1 gives the summed-loss gradient a worker sends. The input gradient of
    /// layer 1 is never formed (nothing needs it).
    /// </summary>
    /// <remarks>
    /// With a <paramref name="stream"/> (a worker overlapping its compute with θ's arrival and its gradient's departure,
    /// <see cref="StreamPlan"/>), layer 1's forward product runs block by block as w1's row blocks arrive, and the
    /// gradient is announced in parts as they become final: everything after w1 first, then w1's row blocks. The same
    /// bits as without a stream (<see cref="Gemm.ForwardKBlock"/>, <see cref="Gemm.WeightGradientRows"/>).
    /// </remarks>
    public double Gradient(Span<float> grad, ReadOnlySpan<float> theta, ReadOnlySpan<float> x, ReadOnlySpan<byte> labels, int batch, LossKind loss, float gradScale, IStepStream? stream = null)
    {
        if (grad.Length != Layout.TotalLength)
            throw new ArgumentException($"gradient buffer has {grad.Length} floats, layout needs {Layout.TotalLength}", nameof(grad));
        if (labels.Length < batch)
            throw new ArgumentException($"labels has {labels.Length} entries, batch is {batch}", nameof(labels));
        var logits = Forward(theta, x, batch, stream);
        var layers = Config.Layers;
        int depth = Config.Depth;

        // δ_L [B, outputs] = gradScale · ∂loss/∂logits
        var delta = _deltas[depth - 1].AsSpan(0, batch * Config.Outputs);
        double lossSum = loss == LossKind.Mse
            ? Kernels.Loss.MseOneHot(delta, logits, labels, batch, Config.Outputs, gradScale)
            : Kernels.Loss.SoftmaxCrossEntropy(delta, logits, labels, batch, Config.Outputs, gradScale);
        Activation.BiasGradient(Layout.Bias(depth - 1).Of(grad), delta, batch, Config.Outputs);

        for (int l = depth - 1; l >= 0; l--)
        {
            int k = layers[l], n = layers[l + 1];
            ReadOnlySpan<float> input = l == 0 ? x : _activations[l - 1].AsSpan(0, batch * k);
            var dY = _deltas[l].AsSpan(0, batch * n);
            if (l == 0 && stream is not null)
            {
                stream.GradientReady(Layout.Weight(0).Offset + Layout.Weight(0).Length, Layout.TotalLength); // b1 onward are final
                FirstLayerWeightGradient(grad, x, dY, batch, stream);
                break;
            }
            Gemm.WeightGradient(Layout.Weight(l).Of(grad), input, dY, batch, k, n, accumulate: false, Threads);
            if (l == 0) break;
            // δ_{l−1} = (δ_l · w_lᵀ) ⊙ [h_{l−1} > 0]; its bias gradient in the same pass.
            var dX = _deltas[l - 1].AsSpan(0, batch * k);
            Gemm.InputGradient(dX, dY, Layout.Weight(l).Of(theta), batch, k, n, accumulate: false, Threads);
            Activation.ReluBiasBackward(Layout.Bias(l - 1).Of(grad), dX, _activations[l - 1].AsSpan(0, batch * k), batch, k);
        }
        return lossSum;
    }

    /// <summary>h[B, n1] = x · w1 over w1's row blocks, each once it has arrived.</summary>
    void FirstLayerForward(Span<float> h, ReadOnlySpan<float> x, ReadOnlySpan<float> theta, int batch, IStepStream stream)
    {
        var w1 = Layout.Weight(0);
        int k = w1.Shape[0], n = w1.Shape[1];
        var blocks = _firstLayerBlocks ??= Gemm.KBlocks(k);
        for (int b = 0; b + 1 < blocks.Length; b++)
        {
            stream.AwaitParameters(w1.Offset + blocks[b + 1] * n);
            Gemm.ForwardKBlock(h, x, w1.Of(theta), batch, k, n, blocks[b], blocks[b + 1], Threads);
        }
    }

    /// <summary>∂w1 = xᵀ · δ1 in w1's row blocks, each announced as it is done.</summary>
    void FirstLayerWeightGradient(Span<float> grad, ReadOnlySpan<float> x, ReadOnlySpan<float> dY, int batch, IStepStream stream)
    {
        var w1 = Layout.Weight(0);
        int k = w1.Shape[0], n = w1.Shape[1];
        var blocks = _firstLayerBlocks ??= Gemm.KBlocks(k);
        for (int b = 0; b + 1 < blocks.Length; b++)
        {
            Gemm.WeightGradientRows(w1.Of(grad), x, dY, batch, k, n, blocks[b], blocks[b + 1], Threads);
            stream.GradientReady(w1.Offset + blocks[b] * n, w1.Offset + blocks[b + 1] * n);
        }
    }

    /// <summary>Number of rows whose arg-max logit equals the label.</summary>
    public int CountCorrect(ReadOnlySpan<float> theta, ReadOnlySpan<float> x, ReadOnlySpan<byte> labels, int batch)
    {
        var logits = Forward(theta, x, batch);
        int n = Config.Outputs, correct = 0;
        for (int i = 0; i < batch; i++)
        {
            var row = logits.Slice(i * n, n);
            int best = 0;
            for (int j = 1; j < n; j++) if (row[j] > row[best]) best = j;
            if (best == labels[i]) correct++;
        }
        return correct;
    }

    void CheckShapes(ReadOnlySpan<float> theta, ReadOnlySpan<float> x, int batch)
    {
        if (theta.Length != Layout.TotalLength)
            throw new ArgumentException($"parameter buffer has {theta.Length} floats, layout needs {Layout.TotalLength}", nameof(theta));
        if (batch < 0 || batch > MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be in 0..{MaxBatch}");
        if (x.Length < batch * Config.Inputs)
            throw new ArgumentException($"input has {x.Length} floats, batch {batch} × {Config.Inputs} needed", nameof(x));
    }
}
