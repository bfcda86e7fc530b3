namespace Thresher.Core.Tests.Ops;

/// <summary>Seeded random tensors and plain double-precision references for the clip-op tests.</summary>
internal static class ReferenceMath
{
    /// <summary>The default MLP's parameter tensors (784-512-256-10): 535,818 values (535,040 weights + 778 biases).</summary>
    public static readonly int[][] TutorialShapes = [[784, 512], [512], [512, 256], [256], [256, 10], [10]];

    /// <summary>Normal(0, stddev) values of the given shape.</summary>
    public static Tensor RandomTensor(Random rng, double stddev, params int[] shape)
    {
        int length = 1;
        foreach (int dim in shape) length *= dim;
        var data = new float[length];
        for (int i = 0; i < length; i++) data[i] = (float)(stddev * Gaussian(rng));
        return new Tensor(data, shape);
    }

    /// <summary>1..4 tensors of rank 0..3 with dims 0..6, stddev spread over orders of magnitude.</summary>
    public static Tensor[] RandomTensors(Random rng)
    {
        var tensors = new Tensor[rng.Next(1, 5)];
        double stddev = Math.Pow(10, rng.NextDouble() * 4 - 2);
        for (int i = 0; i < tensors.Length; i++)
        {
            var shape = new int[rng.Next(0, 4)];
            for (int d = 0; d < shape.Length; d++) shape[d] = rng.Next(0, 7);
            tensors[i] = RandomTensor(rng, stddev, shape);
        }
        return tensors;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>√(Σ x²) over all tensors, plain loop in double.</summary>
    public static double Norm(IEnumerable<Tensor> tensors)
    {
        double sum = 0;
        foreach (Tensor t in tensors)
        {
            foreach (float v in t.Data) sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }

    public static double Norm(params float[] values) => Norm([new Tensor(values, values.Length)]);

    public static void AssertClose(double expected, double actual, double relative, string? because = null)
    {
        double tolerance = relative * Math.Max(Math.Abs(expected), 1e-30);
        Assert.True(Math.Abs(expected - actual) <= tolerance,
            $"expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / Math.Abs(expected):E2} > {relative:E0}) {because}");
    }

    public static void AssertAllClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }

    public static void AssertBitIdentical(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"[{i}]: expected bits of {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
