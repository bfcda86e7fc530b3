using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Core.Backends;

/// <summary>The SIMD backend: gathers the rows on the host, then <see cref="Mlp.Gradient"/>. The reference.</summary>
public sealed class CpuGradientBackend : IStreamingGradientBackend
{
    readonly Mlp _mlp;
    readonly float[] _x;      // [maxBatch, inputs]
    readonly byte[] _labels;  // [maxBatch]

    public CpuGradientBackend(MlpConfig layers, int maxBatch, int threads)
    {
        _mlp = new Mlp(layers, maxBatch, threads);
        _x = new float[maxBatch * layers.Inputs];
        _labels = new byte[maxBatch];
    }

    public string Name => "cpu";

    public double Gradient(Span<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale, LossKind loss, float gradScale)
    {
        ArgumentNullException.ThrowIfNull(split);
        split.Gather(rows, _x, _labels, inputScale);
        return _mlp.Gradient(grad, theta, _x, _labels, rows.Length, loss, gradScale);
    }

    public double Gradient(Span<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale, LossKind loss, float gradScale, IStepStream stream)
    {
        ArgumentNullException.ThrowIfNull(split);
        split.Gather(rows, _x, _labels, inputScale); // the rows gather while θ's first block travels
        return _mlp.Gradient(grad, theta, _x, _labels, rows.Length, loss, gradScale, stream);
    }

    public void Dispose()
    {
        // Managed buffers only.
    }
}
