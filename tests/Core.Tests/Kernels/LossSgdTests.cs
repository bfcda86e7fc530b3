using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// Loss and SGD kernels against their naive twins, every width / length 0..257; SGD on each branch
/// (<see cref="KernelPath"/>). The loss kernels are scalar per row (n is the class count), so they have one path;
/// n = 257 takes their heap buffer instead of the stack one.
/// </summary>
public class LossSgdTests
{
    private const int MaxLength = 257;
    private static readonly int[] RowCounts = [0, 1, 5];

    [Fact]
    public void MseOneHot_EqualsNaive_AllWidths()
    {
        foreach (int m in RowCounts)
            for (int n = 1; n <= MaxLength; n++)
            {
                float[] logits = Scaled(KernelTestData.Uniform(m * n, n), 3f);
                byte[] labels = KernelTestData.Labels(m, n, n);
                float[] expected = new float[m * n], actual = new float[m * n];
                double lossExpected = LossNaive.MseOneHot(expected, logits, labels, m, n, 1f / 7);
                double lossActual = Loss.MseOneHot(actual, logits, labels, m, n, 1f / 7);
                Assert.Equal(lossExpected, lossActual, 1e-12 * Math.Max(1, Math.Abs(lossExpected)));
                KernelTestData.Close(expected, actual, KernelTestData.Abs(expected), 1e-6, 1e-9, $"MseOneHot m={m} n={n}");
            }
    }

    [Fact]
    public void SoftmaxCrossEntropy_EqualsNaive_AllWidths()
    {
        foreach (int m in RowCounts)
            for (int n = 1; n <= MaxLength; n++)
            {
                // Large logits: the max subtraction must keep exp from overflowing.
                float[] logits = Scaled(KernelTestData.Uniform(m * n, n), n % 2 == 0 ? 5f : 500f);
                byte[] labels = KernelTestData.Labels(m, n, n);
                float[] expected = new float[m * n], actual = new float[m * n];
                double lossExpected = LossNaive.SoftmaxCrossEntropy(expected, logits, labels, m, n, 0.25f);
                double lossActual = Loss.SoftmaxCrossEntropy(actual, logits, labels, m, n, 0.25f);
                Assert.True(double.IsFinite(lossActual), $"loss not finite for n={n}");
                Assert.Equal(lossExpected, lossActual, 1e-9 * Math.Max(1, Math.Abs(lossExpected)));
                KernelTestData.Close(expected, actual, KernelTestData.Abs(expected), 1e-6, 1e-9, $"SoftmaxCrossEntropy m={m} n={n}");
            }
    }

    [Theory]
    [InlineData("public")]
    [InlineData("scalar")]
    [InlineData("vector256")]
    [InlineData("vector512")]
    public void SgdUpdate_EqualsNaive_AllLengths(string path)
    {
        for (int len = 0; len <= MaxLength; len++)
        {
            float[] theta = KernelTestData.Uniform(len, len), grad = KernelTestData.Uniform(len, len + 1);
            float[] expected = (float[])theta.Clone(), actual = (float[])theta.Clone();
            SgdNaive.Update(expected, grad, [], 0.01f, 0f, 0.5f);
            float[] plain = actual;
            KernelPath.Run(path, () => Sgd.Update(plain, grad, [], 0.01f, 0f, 0.5f), w => Sgd.Update(plain, grad, [], new SgdStep(0.01f, 0f, 0f, false, 0f, 0.5f, false), w));
            KernelTestData.Close(expected, actual, KernelTestData.Abs(expected), 1e-7, 1e-9, $"Sgd plain {path} len={len}");

            float[] v0 = KernelTestData.Uniform(len, len + 2);
            float[] vExpected = (float[])v0.Clone(), vActual = (float[])v0.Clone();
            expected = (float[])theta.Clone();
            actual = (float[])theta.Clone();
            SgdNaive.Update(expected, grad, vExpected, 0.01f, 0.9f, 0.5f);
            float[] heavy = actual;
            KernelPath.Run(path, () => Sgd.Update(heavy, grad, vActual, 0.01f, 0.9f, 0.5f), w => Sgd.Update(heavy, grad, vActual, new SgdStep(0.01f, 0.9f, 0f, false, 0f, 0.5f, false), w));
            KernelTestData.Close(expected, actual, KernelTestData.Abs(expected), 1e-7, 1e-9, $"Sgd momentum θ {path} len={len}");
            KernelTestData.Close(vExpected, vActual, KernelTestData.Abs(vExpected), 1e-7, 1e-9, $"Sgd momentum v {path} len={len}");
        }
    }

    private static float[] Scaled(float[] a, float s)
    {
        for (int i = 0; i < a.Length; i++) a[i] *= s;
        return a;
    }
}
