namespace Thresher.Core.Tests.Kernels;

/// <summary>Deterministic inputs and tolerance checks shared by the kernel tests.</summary>
internal static class KernelTestData
{
    /// <summary>length values uniform in [−1, 1), from a fixed seed.</summary>
    public static float[] Uniform(int length, int seed)
    {
        var random = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(random.NextDouble() * 2 - 1);
        return a;
    }

    /// <summary>Uniform values with some exact zeros, −0, NaN and ±∞ sprinkled in (for ReLU semantics).</summary>
    public static float[] WithSpecials(int length, int seed)
    {
        float[] a = Uniform(length, seed);
        float[] specials = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        for (int i = 0; i < a.Length; i += 7) a[i] = specials[(i / 7) % specials.Length];
        return a;
    }

    public static byte[] Labels(int m, int n, int seed)
    {
        var random = new Random(seed);
        var labels = new byte[m];
        for (int i = 0; i < m; i++) labels[i] = (byte)random.Next(Math.Min(n, 256));
        return labels;
    }

    public static float[] Abs(float[] a)
    {
        var r = new float[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = Math.Abs(a[i]);
        return r;
    }

    /// <summary>Asserts bit-for-bit equality (NaN payloads aside), naming the first index that differs.</summary>
    public static void Identical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = float.IsNaN(expected[i]) ? float.IsNaN(actual[i])
                : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            if (!same) Assert.Fail($"{what}: index {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    /// <summary>Asserts |expected − actual| ≤ relative·scale[i] + absolute, element-wise.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, ReadOnlySpan<float> scale, double relative, double absolute, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = relative * scale[i] + absolute;
            double diff = Math.Abs((double)expected[i] - actual[i]);
            if (!(diff <= tolerance))
                Assert.Fail($"{what}: index {i}: expected {expected[i]:R}, got {actual[i]:R} (|diff| {diff:G3} > tolerance {tolerance:G3})");
        }
    }
}
