namespace Thresher.Core.Model;

/// <summary>One named tensor inside the flat parameter (or gradient) buffer.</summary>
/// <param name="Name">w1, b1, w2, b2, …</param>
/// <param name="Offset">Start index in the flat buffer (floats).</param>
/// <param name="Shape">[in, out] for weights, [out] for biases.</param>
public sealed record ParameterSlice(string Name, int Offset, int[] Shape)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);

    public Span<float> Of(Span<float> flat) => flat.Slice(Offset, Length);

    public ReadOnlySpan<float> Of(ReadOnlySpan<float> flat) => flat.Slice(Offset, Length);
}

/// <summary>
/// The flat buffer layout of an MLP: w1 [L0,L1], b1 [L1], w2 [L1,L2], b2 [L2], … in that order, contiguous.
/// Parameters, gradients and optimizer state all share this layout.
/// </summary>
public sealed class ParameterLayout
{
    public ParameterLayout(MlpConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var slices = new List<ParameterSlice>(2 * config.Depth);
        int offset = 0;
        for (int l = 0; l < config.Depth; l++)
        {
            int fanIn = config.Layers[l], fanOut = config.Layers[l + 1];
            slices.Add(new ParameterSlice($"w{l + 1}", offset, [fanIn, fanOut]));
            offset += fanIn * fanOut;
            slices.Add(new ParameterSlice($"b{l + 1}", offset, [fanOut]));
            offset += fanOut;
        }
        Slices = slices;
        TotalLength = offset;
    }

    public MlpConfig Config { get; }

    /// <summary>w1, b1, w2, b2, … in buffer order.</summary>
    public IReadOnlyList<ParameterSlice> Slices { get; }

    /// <summary>Total floats in the buffer.</summary>
    public int TotalLength { get; }

    /// <summary>Weight slice of layer l (0-based).</summary>
    public ParameterSlice Weight(int layer) => Slices[2 * layer];

    /// <summary>Bias slice of layer l (0-based).</summary>
    public ParameterSlice Bias(int layer) => Slices[2 * layer + 1];

    public IEnumerable<string> Names => Slices.Select(s => s.Name);
}
