using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace Thresher.Gpu;

/// <summary>
/// The step's kernels loaded on one accelerator, with launchers that turn shapes into grids. Launches are
/// asynchronous on the given stream; empty shapes launch nothing.
/// </summary>
internal sealed class GpuKernels
{
    readonly GpuTiles _tiles;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _gemm;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, ArrayView<int>, int, float> _gather;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int> _biasRelu;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int> _biasAdd;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> _reluBiasPartial;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>, int, int> _columnSum;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<double>, ArrayView<float>, ArrayView<byte>, int, float> _mse;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<double>, ArrayView<float>, ArrayView<byte>, int, float> _crossEntropy;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<double>, ArrayView<double>, int> _sumRows;
    readonly Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<float>, ArrayView<byte>, int> _countCorrect;

    public GpuKernels(Accelerator accelerator, GpuTiles tiles)
    {
        _tiles = tiles;
        _gemm = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GemmKernel.Run);
        _gather = accelerator.LoadKernel<ArrayView<float>, ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, ArrayView<int>, int, float>(Grouped.Gather);
        _biasRelu = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int>(Grouped.BiasReluForward);
        _biasAdd = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int>(Grouped.BiasAdd);
        _reluBiasPartial = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(Grouped.ReluBiasPartial);
        _columnSum = accelerator.LoadKernel<ArrayView<float>, ArrayView<float>, int, int>(Grouped.ColumnSum);
        _mse = accelerator.LoadKernel<ArrayView<float>, ArrayView<double>, ArrayView<float>, ArrayView<byte>, int, float>(Grouped.MseOneHot);
        _crossEntropy = accelerator.LoadKernel<ArrayView<float>, ArrayView<double>, ArrayView<float>, ArrayView<byte>, int, float>(Grouped.SoftmaxCrossEntropy);
        _sumRows = accelerator.LoadKernel<ArrayView<double>, ArrayView<double>, int>(ElementKernels.SumRows);
        _countCorrect = accelerator.LoadKernel<ArrayView<int>, ArrayView<float>, ArrayView<byte>, int>(Grouped.CountCorrect);
    }

    /// <summary>Every kernel entry point with its grouping, for ahead-of-time PTX compilation.</summary>
    public static IReadOnlyList<MethodInfo> EntryPoints { get; } =
    [
        typeof(GemmKernel).GetMethod(nameof(GemmKernel.Run))!,
        .. typeof(Grouped).GetMethods(BindingFlags.Public | BindingFlags.Static),
        typeof(ElementKernels).GetMethod(nameof(ElementKernels.SumRows))!,
        .. typeof(UpdateKernels).GetMethods(BindingFlags.Public | BindingFlags.Static),
    ];

    /// <summary>C = A · B per <paramref name="s"/> (see <see cref="GemmShape"/>'s factories).</summary>
    public void Gemm(AcceleratorStream stream, ArrayView<float> c, ArrayView<float> a, ArrayView<float> b, GemmShape s)
    {
        if (s.M == 0 || s.N == 0) return;
        var group = new Index2D(_tiles.GroupX, _tiles.GroupY);
        var grid = new Index2D(Blocks(s.N, 4 * _tiles.GroupX), Blocks(s.M, 4 * _tiles.GroupY));
        var shared = SharedMemoryConfig.RequestDynamic<float>(s.TileK * 4 * (_tiles.GroupX + _tiles.GroupY));
        _gemm(stream, new KernelConfig(grid, group, shared), c, a, b, s);
    }

    public GemmShape Forward(int m, int k, int n) => GemmShape.Forward(m, k, n, _tiles.TileK);

    public GemmShape WeightGradient(int m, int k, int n) => GemmShape.WeightGradient(m, k, n, _tiles.TileK);

    public GemmShape InputGradient(int m, int k, int n) => GemmShape.InputGradient(m, k, n, _tiles.TileK);

    /// <summary>x[r,f] = pixels[rows[r], f] / inputScale; labelsOut[r] = labels[rows[r]], r &lt; count.</summary>
    public void Gather(AcceleratorStream stream, ArrayView<float> x, ArrayView<byte> labelsOut, ArrayView<byte> pixels, ArrayView<byte> labels, ArrayView<int> rows, int count, int features, float inputScale)
    {
        if (count == 0) return;
        _gather(stream, Elements(count * features), x.SubView(0, count * features), labelsOut.SubView(0, count), pixels, labels, rows, features, inputScale);
    }

    public void BiasReluForward(AcceleratorStream stream, ArrayView<float> y, ArrayView<float> b, int m, int n)
    {
        if (m * n > 0) _biasRelu(stream, Elements(m * n), y.SubView(0, m * n), b, n);
    }

    public void BiasAdd(AcceleratorStream stream, ArrayView<float> y, ArrayView<float> b, int m, int n)
    {
        if (m * n > 0) _biasAdd(stream, Elements(m * n), y.SubView(0, m * n), b, n);
    }

    /// <summary>dB[n] = Σ_rows dY (relu: after masking dY in place by y &gt; 0). partial holds ⌈m / chunk⌉·n floats.</summary>
    public void BiasGradient(AcceleratorStream stream, ArrayView<float> dB, ArrayView<float> partial, ArrayView<float> dY, ArrayView<float> y, int m, int n, bool relu)
    {
        int chunks = PartialChunks(m);
        if (chunks > 0)
        {
            var group = new Index2D(Math.Min(n, _tiles.ElementGroup), 1);
            var grid = new Index2D(Blocks(n, group.X), chunks);
            _reluBiasPartial(stream, new KernelConfig(grid, group), partial, dY, y, m, n, _tiles.BiasChunkRows, relu ? 1 : 0);
        }
        _columnSum(stream, Elements(n), dB.SubView(0, n), partial, chunks, n);
    }

    /// <summary>Chunks of rows the bias gradient splits m rows into.</summary>
    public int PartialChunks(int m) => Blocks(m, _tiles.BiasChunkRows);

    /// <summary>Per-row loss into rowLoss[m] and dLogits[m,n]; then total[0] = Σ rowLoss.</summary>
    public void Loss(AcceleratorStream stream, bool crossEntropy, ArrayView<float> dLogits, ArrayView<double> rowLoss, ArrayView<double> total, ArrayView<float> logits, ArrayView<byte> labels, int m, int n, float gradScale)
    {
        if (m > 0)
            (crossEntropy ? _crossEntropy : _mse)(stream, Elements(m), dLogits, rowLoss.SubView(0, m), logits, labels, n, gradScale);
        _sumRows(stream, new KernelConfig(new Index1D(1), new Index1D(_tiles.ReduceGroup), SharedMemoryConfig.RequestDynamic<double>(_tiles.ReduceGroup)), total, rowLoss, m);
    }

    /// <summary>correct[0] += the rows r &lt; m of logits[m, n] whose arg-max is labels[r].</summary>
    public void CountCorrect(AcceleratorStream stream, ArrayView<int> correct, ArrayView<float> logits, ArrayView<byte> labels, int m, int n)
    {
        if (m > 0) _countCorrect(stream, Elements(m), correct, logits, labels.SubView(0, m), n);
    }

    KernelConfig Elements(int count) => new(new Index1D(Blocks(count, _tiles.ElementGroup)), new Index1D(_tiles.ElementGroup));

    static int Blocks(int count, int size) => (count + size - 1) / size;

    /// <summary>
    /// Explicitly grouped wrappers of <see cref="ElementKernels"/>: each computes its global index and returns
    /// past the end of its first output (the last group of a 1-D launch is partly idle).
    /// </summary>
    internal static class Grouped
    {
        public static void Gather(ArrayView<float> x, ArrayView<byte> labelsOut, ArrayView<byte> pixels, ArrayView<byte> labels, ArrayView<int> rows, int features, float inputScale)
        {
            int i = Grid.GlobalIndex.X;
            if (i < x.IntLength) ElementKernels.Gather(i, x, labelsOut, pixels, labels, rows, features, inputScale);
        }

        public static void BiasReluForward(ArrayView<float> y, ArrayView<float> b, int n)
        {
            int i = Grid.GlobalIndex.X;
            if (i < y.IntLength) ElementKernels.BiasReluForward(i, y, b, n);
        }

        public static void BiasAdd(ArrayView<float> y, ArrayView<float> b, int n)
        {
            int i = Grid.GlobalIndex.X;
            if (i < y.IntLength) ElementKernels.BiasAdd(i, y, b, n);
        }

        public static void ReluBiasPartial(ArrayView<float> partial, ArrayView<float> dY, ArrayView<float> y, int m, int n, int chunkRows, int relu)
        {
            var i = Grid.GlobalIndex;
            if (i.X < n) ElementKernels.ReluBiasPartial(new Index2D(i.X, i.Y), partial, dY, y, m, n, chunkRows, relu);
        }

        public static void ColumnSum(ArrayView<float> dB, ArrayView<float> partial, int chunks, int n)
        {
            int i = Grid.GlobalIndex.X;
            if (i < dB.IntLength) ElementKernels.ColumnSum(i, dB, partial, chunks, n);
        }

        public static void MseOneHot(ArrayView<float> dLogits, ArrayView<double> rowLoss, ArrayView<float> logits, ArrayView<byte> labels, int n, float gradScale)
        {
            int i = Grid.GlobalIndex.X;
            if (i < rowLoss.IntLength) ElementKernels.MseOneHot(i, dLogits, rowLoss, logits, labels, n, gradScale);
        }

        public static void CountCorrect(ArrayView<int> correct, ArrayView<float> logits, ArrayView<byte> labels, int n)
        {
            int i = Grid.GlobalIndex.X;
            if (i < labels.IntLength) ElementKernels.CountCorrect(i, correct, logits, labels, n);
        }

        public static void SoftmaxCrossEntropy(ArrayView<float> dLogits, ArrayView<double> rowLoss, ArrayView<float> logits, ArrayView<byte> labels, int n, float gradScale)
        {
            int i = Grid.GlobalIndex.X;
            if (i < rowLoss.IntLength) ElementKernels.SoftmaxCrossEntropy(i, dLogits, rowLoss, logits, labels, n, gradScale);
        }
    }
}
