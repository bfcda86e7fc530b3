using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// Activation kernels against ActivationNaive for every length 0..257 (element-wise) and every row width
/// n 0..257 at several row counts (bias kernels). The fast kernels do the same float operations in the same
/// order, so results must be bit-identical, including NaN, ±∞ and −0 handling.
/// </summary>
public class ActivationTests
{
    private const int MaxLength = 257;
    private static readonly int[] RowCounts = [0, 1, 3];
    private static readonly bool[] FalseTrue = [false, true];

    [Fact]
    public void ReluForward_EqualsNaive_AllLengths()
    {
        for (int len = 0; len <= MaxLength; len++)
        {
            float[] x = KernelTestData.WithSpecials(len, len);
            var expected = new float[len];
            var actual = new float[len];
            ActivationNaive.ReluForward(expected, x);
            Activation.ReluForward(actual, x);
            KernelTestData.Identical(expected, actual, $"ReluForward len={len}");
            Activation.ReluForward(x, x); // in place
            KernelTestData.Identical(expected, x, $"ReluForward in place len={len}");
        }
    }

    [Fact]
    public void ReluBackward_EqualsNaive_AllLengths()
    {
        for (int len = 0; len <= MaxLength; len++)
        {
            float[] dY = KernelTestData.WithSpecials(len, len);
            float[] y = KernelTestData.WithSpecials(len, len + 1000);
            var expected = new float[len];
            var actual = new float[len];
            ActivationNaive.ReluBackward(expected, dY, y);
            Activation.ReluBackward(actual, dY, y);
            KernelTestData.Identical(expected, actual, $"ReluBackward len={len}");
            Activation.ReluBackward(dY, dY, y); // in place
            KernelTestData.Identical(expected, dY, $"ReluBackward in place len={len}");
        }
    }

    [Fact]
    public void BiasAdd_And_BiasReluForward_EqualNaive_AllWidths()
    {
        foreach (int m in RowCounts)
            for (int n = 0; n <= MaxLength; n++)
            {
                float[] y0 = KernelTestData.WithSpecials(m * n, n), b = KernelTestData.Uniform(n, n + 7);
                float[] expected = (float[])y0.Clone(), actual = (float[])y0.Clone();
                ActivationNaive.BiasAdd(expected, b, m, n);
                Activation.BiasAdd(actual, b, m, n);
                KernelTestData.Identical(expected, actual, $"BiasAdd m={m} n={n}");

                expected = (float[])y0.Clone();
                actual = (float[])y0.Clone();
                ActivationNaive.BiasReluForward(expected, b, m, n);
                Activation.BiasReluForward(actual, b, m, n);
                KernelTestData.Identical(expected, actual, $"BiasReluForward m={m} n={n}");
            }
    }

    [Fact]
    public void BiasGradient_And_ReluBiasBackward_EqualNaive_AllWidths()
    {
        foreach (int m in RowCounts)
            foreach (bool accumulate in FalseTrue)
                for (int n = 0; n <= MaxLength; n++)
                {
                    string what = $"m={m} n={n} accumulate={accumulate}";
                    float[] dY0 = KernelTestData.Uniform(m * n, n), y = KernelTestData.WithSpecials(m * n, n + 3);
                    float[] dB0 = KernelTestData.Uniform(n, n + 5);
                    float[] expected = (float[])dB0.Clone(), actual = (float[])dB0.Clone();
                    ActivationNaive.BiasGradient(expected, dY0, m, n, accumulate);
                    Activation.BiasGradient(actual, dY0, m, n, accumulate);
                    KernelTestData.Identical(expected, actual, "BiasGradient " + what);

                    float[] expectedDy = (float[])dY0.Clone(), actualDy = (float[])dY0.Clone();
                    expected = (float[])dB0.Clone();
                    actual = (float[])dB0.Clone();
                    ActivationNaive.ReluBiasBackward(expected, expectedDy, y, m, n, accumulate);
                    Activation.ReluBiasBackward(actual, actualDy, y, m, n, accumulate);
                    KernelTestData.Identical(expected, actual, "ReluBiasBackward dB " + what);
                    KernelTestData.Identical(expectedDy, actualDy, "ReluBiasBackward dY " + what);
                }
    }

    [Fact]
    public void Relu_KeepsNaN_And_NegativeZero()
    {
        float[] x = [float.NaN, -0f, -1f, 2f];
        var y = new float[4];
        Activation.ReluForward(y, x);
        Assert.True(float.IsNaN(y[0]));
        Assert.True(float.IsNegative(y[1]) && y[1] == 0f);
        Assert.Equal(0f, y[2]);
        Assert.Equal(2f, y[3]);
    }
}
