using Thresher.Core.Data;
using Thresher.Core.Tests.Kernels;

namespace Thresher.Core.Tests.Data;

public class PixelScalingTests
{
    /// <summary>Every branch (<see cref="KernelPath"/>) on lengths 0..300, across each vector's 16/32/64-pixel steps.</summary>
    [Theory]
    [InlineData("public")]
    [InlineData("scalar")]
    [InlineData("vector128")]
    [InlineData("vector256")]
    [InlineData("vector512")]
    public void Vector_path_equals_the_naive_twin_exactly_for_every_length(string path)
    {
        var x = new byte[300];
        for (int i = 0; i < x.Length; i++) x[i] = (byte)(i * 37 + 11);
        x[5] = 255;
        x[6] = 0;
        foreach (float scale in new[] { 255f, 50f, 1f, 3f })
        {
            for (int n = 0; n <= 300; n++)
            {
                var fast = new float[n + 1];
                var naive = new float[n + 1];
                fast[n] = naive[n] = -7f; // the element past the end must stay untouched
                byte[] pixels = x[..n];
                KernelPath.Run(path, () => PixelScaling.Scale(fast, pixels, scale), w => PixelScaling.Scale(fast, pixels, scale, w));
                PixelScaling.ScaleNaive(naive, x.AsSpan(0, n), scale);
                Assert.Equal(naive, fast);
            }
        }
    }

    [Fact]
    public void Short_output_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => PixelScaling.Scale(new float[3], new byte[4], 255));
    }
}
