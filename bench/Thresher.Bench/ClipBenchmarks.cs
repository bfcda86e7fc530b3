using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Thresher.Core.Ops;
using Tensor = Thresher.Core.Tensor; // System.Numerics.Tensors has a Tensor class too

namespace Thresher.Bench;

/// <summary>
/// Global norm and in-place clip over one step's gradient of the default MLP (784-512-256-10): the tensors
/// 784×512, 512, 512×256, 256, 256×10, 10 — 535,818 floats (535,040 weights + 778 biases).
/// The float-accumulating <c>TensorPrimitives.SumOfSquares</c> is measured beside our double-accumulating
/// <see cref="ClipOps.SumOfSquares"/> to show what the accuracy costs. The clip itself (in place, and folded
/// into SGD) is one of <see cref="BenchCaseBenchmarks"/>' cases, the code `thresher bench` times.
/// </summary>
[MemoryDiagnoser]
public class ClipBenchmarks
{
    private static readonly int[][] Shapes = [[784, 512], [512], [512, 256], [256], [256, 10], [10]];
    private int[] _sliceLengths = [];
    private double[] _sliceNorms = [];
    private Tensor[] _tensors = [];
    private float[] _gradient = [];  // all tensors back to back (535,818)

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1234);
        _tensors = new Tensor[Shapes.Length];
        for (int k = 0; k < Shapes.Length; k++)
        {
            int length = 1;
            foreach (int dim in Shapes[k]) length *= dim;
            var data = new float[length];
            for (int i = 0; i < length; i++) data[i] = (float)(rng.NextDouble() - 0.5); // norm ≈ 211 > 15: clips
            _tensors[k] = new Tensor(data, Shapes[k]);
        }
        _gradient = [.. _tensors.SelectMany(t => t.Data)];
        _sliceLengths = [.. _tensors.Select(t => t.Length)];
        _sliceNorms = new double[_tensors.Length];
    }

    [Benchmark(Baseline = true)]
    public double GlobalNormFlat() => ClipOps.GlobalNorm(_gradient);

    [Benchmark]
    public double GlobalNormTensors() => ClipOps.GlobalNorm(_tensors);

    [Benchmark]
    public double GlobalNormWithSliceNorms() => ClipOps.GlobalNorm(_gradient, _sliceLengths, _sliceNorms);

    [Benchmark]
    public float SumOfSquaresFloatAccumulator() => TensorPrimitives.SumOfSquares<float>(_gradient);
}
