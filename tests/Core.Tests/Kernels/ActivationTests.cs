using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// Activation kernels against ActivationNaive for every length 0..257 (element-wise) and every row width
/// n 0..257 at several row counts (bias kernels), on each branch (<see cref="KernelPath"/>). The fast kernels do
/// the same float operations in the same order, so results must be bit-identical, including NaN, ±∞ and −0.
/// </summary>
public class ActivationTests
{
    private const int MaxLength = 257;
    private static readonly int[] RowCounts = [0, 1, 3];
    private static readonly bool[] FalseTrue = [false, true];

    [Theory]
    [InlineData("public")]
    [InlineData("scalar")]
    [InlineData("vector256")]
    [InlineData("vector512")]
    public void ReluForward_EqualsNaive_AllLengths(string path)
    {
        for (int len = 0; len <= MaxLength; len++)
        {
            float[] x = KernelTestData.WithSpecials(len, len);
            var expected = new float[len];
            var actual = new float[len];
            ActivationNaive.ReluForward(expected, x);
            KernelPath.Run(path, () => Activation.ReluForward(actual, x), w => Activation.ReluForward(actual, x, w));
            KernelTestData.Identical(expected, actual, $"ReluForward {path} len={len}");
            KernelPath.Run(path, () => Activation.ReluForward(x, x), w => Activation.ReluForward(x, x, w)); // in place
            KernelTestData.Identical(expected, x, $"ReluForward {path} in place len={len}");
        }
    }

    [Theory]
    [InlineData("public")]
    [InlineData("scalar")]
    [InlineData("vector256")]
    [InlineData("vector512")]
    public void ReluBackward_EqualsNaive_AllLengths(string path)
    {
        for (int len = 0; len <= MaxLength; len++)
        {
            float[] dY = KernelTestData.WithSpecials(len, len);
            float[] y = KernelTestData.WithSpecials(len, len + 1000);
            var expected = new float[len];
            var actual = new float[len];
            ActivationNaive.ReluBackward(expected, dY, y);
            KernelPath.Run(path, () => Activation.ReluBackward(actual, dY, y), w => Activation.ReluBackward(actual, dY, y, w));
            KernelTestData.Identical(expected, actual, $"ReluBackward {path} len={len}");
            KernelPath.Run(path, () => Activation.ReluBackward(dY, dY, y), w => Activation.ReluBackward(dY, dY, y, w)); // in place
            KernelTestData.Identical(expected, dY, $"ReluBackward {path} in place len={len}");
        }
    }

    [Theory]
    [InlineData("public")]
    [InlineData("scalar")]
    [InlineData("vector256")]
    [InlineData("vector512")]
    public void BiasReluForward_EqualsNaive_AllWidths(string path)
    {
        foreach (int m in RowCounts)
            for (int n = 0; n <= MaxLength; n++)
            {
                float[] y0 = KernelTestData.WithSpecials(m * n, n), b = KernelTestData.Uniform(n, n + 7);
                float[] expected = (float[])y0.Clone(), actual = (float[])y0.Clone();
                ActivationNaive.BiasReluForward(expected, b, m, n);
                KernelPath.Run(path, () => Activation.BiasReluForward(actual, b, m, n), w => Activation.BiasReluForward(actual, b, m, n, w));
                KernelTestData.Identical(expected, actual, $"BiasReluForward {path} m={m} n={n}");
            }
    }

    [Theory]
    [InlineData("public")]
    [InlineData("scalar")]
    [InlineData("vector256")]
    [InlineData("vector512")]
    public void ReluBiasBackward_EqualsNaive_AllWidths(string path)
    {
        foreach (int m in RowCounts)
            foreach (bool accumulate in FalseTrue)
                for (int n = 0; n <= MaxLength; n++)
                {
                    string what = $"{path} m={m} n={n} accumulate={accumulate}";
                    float[] dY0 = KernelTestData.Uniform(m * n, n), y = KernelTestData.WithSpecials(m * n, n + 3);
                    float[] dB0 = KernelTestData.Uniform(n, n + 5);
                    float[] expectedDy = (float[])dY0.Clone(), actualDy = (float[])dY0.Clone();
                    float[] expected = (float[])dB0.Clone(), actual = (float[])dB0.Clone();
                    ActivationNaive.ReluBiasBackward(expected, expectedDy, y, m, n, accumulate);
                    KernelPath.Run(path, () => Activation.ReluBiasBackward(actual, actualDy, y, m, n, accumulate),
                        w => Activation.ReluBiasBackward(actual, actualDy, y, m, n, accumulate, w));
                    KernelTestData.Identical(expected, actual, "ReluBiasBackward dB " + what);
                    KernelTestData.Identical(expectedDy, actualDy, "ReluBiasBackward dY " + what);
                }
    }

    /// <summary>BiasAdd and BiasGradient use TensorPrimitives (its own width choice), so they have one path.</summary>
    [Fact]
    public void BiasAdd_And_BiasGradient_EqualNaive_AllWidths()
    {
        foreach (int m in RowCounts)
            for (int n = 0; n <= MaxLength; n++)
            {
                float[] y0 = KernelTestData.WithSpecials(m * n, n), b = KernelTestData.Uniform(n, n + 7);
                float[] expected = (float[])y0.Clone(), actual = (float[])y0.Clone();
                ActivationNaive.BiasAdd(expected, b, m, n);
                Activation.BiasAdd(actual, b, m, n);
                KernelTestData.Identical(expected, actual, $"BiasAdd m={m} n={n}");

                foreach (bool accumulate in FalseTrue)
                {
                    float[] dY = KernelTestData.Uniform(m * n, n), dB0 = KernelTestData.Uniform(n, n + 5);
                    float[] expectedDb = (float[])dB0.Clone(), actualDb = (float[])dB0.Clone();
                    ActivationNaive.BiasGradient(expectedDb, dY, m, n, accumulate);
                    Activation.BiasGradient(actualDb, dY, m, n, accumulate);
                    KernelTestData.Identical(expectedDb, actualDb, $"BiasGradient m={m} n={n} accumulate={accumulate}");
                }
            }
    }

    [Theory]
    [InlineData("public")]
    [InlineData("scalar")]
    [InlineData("vector256")]
    [InlineData("vector512")]
    public void Relu_KeepsNaN_And_NegativeZero(string path)
    {
        // 16 lanes, so each vector branch handles them (not the scalar tail).
        float[] x = [float.NaN, -0f, -1f, 2f, .. Enumerable.Repeat(1f, 12)];
        var y = new float[x.Length];
        KernelPath.Run(path, () => Activation.ReluForward(y, x), w => Activation.ReluForward(y, x, w));
        Assert.True(float.IsNaN(y[0]));
        Assert.True(float.IsNegative(y[1]) && y[1] == 0f);
        Assert.Equal(0f, y[2]);
        Assert.Equal(2f, y[3]);
    }
}
