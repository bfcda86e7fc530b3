using Thresher.Core.Kernels;

namespace Thresher.Core.Model;

/// <summary>
/// How θ and a gradient travel in parts so a worker overlaps them with its compute (--overlap). The parts are
/// float ranges of the layout: w1's rows in the k blocks its forward product is cut into (<see cref="Gemm.KBlocks"/>;
/// 784 inputs: 4 × 196 rows, 100,352 floats each), then the tail b1, w2, b2, … in one part. θ is sent in that order
/// (the forward pass needs w1's first block first); the backward pass finishes the tail first (w1's gradient is the
/// last product), then w1's blocks in order, and the gradient's parts leave in that order. Because the parts are the
/// product's own k blocks, a streamed step computes exactly the bits of a whole one.
/// </summary>
public sealed class StreamPlan
{
    public StreamPlan(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var w1 = layout.Weight(0);
        int n = w1.Shape[1];
        FirstLayerBlocks = Gemm.KBlocks(w1.Shape[0]);
        var parts = new List<(int Start, int End)>();
        for (int b = 0; b + 1 < FirstLayerBlocks.Length; b++)
            parts.Add((w1.Offset + FirstLayerBlocks[b] * n, w1.Offset + FirstLayerBlocks[b + 1] * n));
        parts.Add((w1.Offset + w1.Length, layout.TotalLength));
        Parts = parts;
        TotalLength = layout.TotalLength;
    }

    /// <summary>The parts as float ranges [Start, End), in θ's order: w1's row blocks, then the tail. They tile [0, P).</summary>
    public IReadOnlyList<(int Start, int End)> Parts { get; }

    /// <summary>w1's row-block boundaries (the k blocks of the first layer's forward product).</summary>
    public int[] FirstLayerBlocks { get; }

    /// <summary>P, the floats of θ.</summary>
    public int TotalLength { get; }

    /// <summary>Number of parts.</summary>
    public int Count => Parts.Count;

    /// <summary>The tail part's index (the last): every parameter after w1.</summary>
    public int Tail => Parts.Count - 1;

    /// <summary>Part i's bytes as float32.</summary>
    public int ByteLength(int part) => (Parts[part].End - Parts[part].Start) * sizeof(float);

    /// <summary>Part i's byte offset in θ's (or a gradient's) float32 bytes.</summary>
    public int ByteOffset(int part) => Parts[part].Start * sizeof(float);
}
