using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// The fused optimizer kernels against their naive twins on every branch (<see cref="KernelPath"/>) and every length
/// 0..257: three steps each, so the state the first step writes is read by the next. The vector branches do the
/// naive twin's operations in its order, so they match it bit for bit.
/// </summary>
public class OptimizerKernelTests
{
    const int MaxLength = 257;

    public static TheoryData<string> Paths => ["public", "scalar", "vector256", "vector512"];

    /// <summary>Plain, heavy-ball with dampening and decay, and nesterov with decay: each SGD variant.</summary>
    static readonly SgdStep[] SgdVariants =
    [
        new(0.05f, 0f, 0f, false, 0f, 0.5f, false),
        new(0.05f, 0.9f, 0.25f, false, 1e-2f, 0.5f, false),
        new(0.05f, 0.8f, 0f, true, 1e-3f, 0.75f, false),
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sgd_equals_naive_for_every_variant_and_length(string path)
    {
        foreach (var variant in SgdVariants)
            for (int len = 0; len <= MaxLength; len++)
            {
                float[] expected = KernelTestData.Uniform(len, len), actual = (float[])expected.Clone();
                float[] vExpected = new float[variant.Momentum != 0 ? len : 0], vActual = new float[vExpected.Length];
                for (int step = 0; step < 3; step++)
                {
                    float[] grad = KernelTestData.Uniform(len, 1000 + 7 * len + step);
                    var s = variant with { First = step == 0 };
                    SgdNaive.Update(expected, grad, vExpected, s);
                    KernelPath.Run(path, () => Sgd.Update(actual, grad, vActual, s), w => Sgd.Update(actual, grad, vActual, s, w));
                }
                KernelTestData.Identical(expected, actual, $"Sgd θ {variant} {path} len={len}");
                KernelTestData.Identical(vExpected, vActual, $"Sgd v {variant} {path} len={len}");
            }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Adam_and_AdamW_equal_naive_for_every_length(string path)
    {
        foreach (bool decoupled in new[] { false, true })
            for (int len = 0; len <= MaxLength; len++)
            {
                float[] expected = KernelTestData.Uniform(len, len), actual = (float[])expected.Clone();
                float[] mExpected = new float[len], mActual = new float[len], vExpected = new float[len], vActual = new float[len];
                for (int t = 1; t <= 3; t++)
                {
                    float[] grad = KernelTestData.Uniform(len, 2000 + 7 * len + t);
                    var s = AdamStep.At(t, 1e-2, 0.8f, 0.9f, 0.999f, 1e-8f, 0.05f, decoupled);
                    AdamNaive.Update(expected, grad, mExpected, vExpected, s);
                    KernelPath.Run(path, () => Adam.Update(actual, grad, mActual, vActual, s), w => Adam.Update(actual, grad, mActual, vActual, s, w));
                }
                string what = $"{(decoupled ? "AdamW" : "Adam")} {path} len={len}";
                KernelTestData.Identical(expected, actual, $"{what} θ");
                KernelTestData.Identical(mExpected, mActual, $"{what} m");
                KernelTestData.Identical(vExpected, vActual, $"{what} v");
            }
    }

    [Fact]
    public void Adam_checks_its_buffers_once_at_the_entry()
    {
        var step = AdamStep.At(1, 1e-3, 1f, 0.9f, 0.999f, 1e-8f, 0f, decoupled: false);
        var ex = Assert.Throws<ArgumentException>(() => Adam.Update(new float[4], new float[4], new float[3], new float[4], step));
        Assert.Equal("expAvg", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Adam.Update(new float[4], new float[4], new float[4], new float[2], step));
        Assert.Equal("expAvgSq", ex.ParamName);
    }
}
