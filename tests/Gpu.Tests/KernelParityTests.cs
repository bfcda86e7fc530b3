using Thresher.Core.Data;
using Thresher.Core.Kernels;

namespace Thresher.Gpu.Tests;

/// <summary>
/// Every ILGPU kernel equals Core's SIMD kernel on ILGPU's CPU accelerator, at shapes that leave partial
/// GEMM tiles, k-slices, bias chunks and element groups (tiles 2×2 threads, 8×8 outputs, k-slice 3).
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class KernelParityTests(CpuAccelerator gpu)
{
    const double Tolerance = 1e-5;

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 9)]
    [InlineData(13, 6, 17)]
    [InlineData(16, 16, 8)]
    public void Gemm_forms_equal_the_cpu_kernels(int m, int k, int n)
    {
        var x = TestData.Random(m * k, 1);
        var w = TestData.Random(k * n, 2);
        var dY = TestData.Random(m * n, 3);
        using var dx = gpu.Upload(x);
        using var dw = gpu.Upload(w);
        using var ddY = gpu.Upload(dY);
        using var y = gpu.Upload(new float[m * n]);
        using var dW = gpu.Upload(new float[k * n]);
        using var dX = gpu.Upload(new float[m * k]);
        gpu.Kernels.Gemm(gpu.Stream, y.View, dx.View, dw.View, gpu.Kernels.Forward(m, k, n));
        gpu.Kernels.Gemm(gpu.Stream, dW.View, dx.View, ddY.View, gpu.Kernels.WeightGradient(m, k, n));
        gpu.Kernels.Gemm(gpu.Stream, dX.View, ddY.View, dw.View, gpu.Kernels.InputGradient(m, k, n));

        var expectY = new float[m * n];
        var expectDW = new float[k * n];
        var expectDX = new float[m * k];
        Gemm.Forward(expectY, x, w, m, k, n);
        Gemm.WeightGradient(expectDW, x, dY, m, k, n);
        Gemm.InputGradient(expectDX, dY, w, m, k, n);
        TestData.Close(expectY, gpu.Download(y, m * n), Tolerance, "y");
        TestData.Close(expectDW, gpu.Download(dW, k * n), Tolerance, "dW");
        TestData.Close(expectDX, gpu.Download(dX, m * k), Tolerance, "dX");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(10, 13)]
    public void Bias_and_relu_kernels_equal_the_cpu_kernels(int m, int n)
    {
        var h = TestData.Random(m * n, 4);
        h[0] = float.NaN; // NaN passes through ReLU on both
        var b = TestData.Random(n, 5);
        var dY = TestData.Random(m * n, 6);
        using var dh = gpu.Upload(h);
        using var dh2 = gpu.Upload(h);
        using var db = gpu.Upload(b);
        using var ddY = gpu.Upload(dY);
        using var ddY2 = gpu.Upload(dY);
        using var dB = gpu.Upload(new float[n]);
        using var dB2 = gpu.Upload(new float[n]);
        using var partial = gpu.Upload(new float[gpu.Kernels.PartialChunks(m) * n]);
        gpu.Kernels.BiasReluForward(gpu.Stream, dh.View, db.View, m, n);
        gpu.Kernels.BiasAdd(gpu.Stream, dh2.View, db.View, m, n);
        gpu.Kernels.BiasGradient(gpu.Stream, dB.View, partial.View, ddY.View, dh.View, m, n, relu: true);
        gpu.Kernels.BiasGradient(gpu.Stream, dB2.View, partial.View, ddY2.View, ddY2.View, m, n, relu: false);

        var relu = (float[])h.Clone();
        Activation.BiasReluForward(relu, b, m, n);
        var added = (float[])h.Clone();
        Activation.BiasAdd(added, b, m, n);
        var masked = (float[])dY.Clone();
        var expectDB = new float[n];
        Activation.ReluBiasBackward(expectDB, masked, relu, m, n);
        var expectDB2 = new float[n];
        Activation.BiasGradient(expectDB2, dY, m, n);

        var gotRelu = gpu.Download(dh, m * n);
        Assert.True(float.IsNaN(gotRelu[0]));
        TestData.Close(relu.AsSpan(1), gotRelu.AsSpan(1), 0, "relu(h + b)");
        TestData.Close(added.AsSpan(1), gpu.Download(dh2, m * n).AsSpan(1), 0, "h + b");
        TestData.Close(masked, gpu.Download(ddY, m * n), 0, "masked dY");
        TestData.Close(expectDB, gpu.Download(dB, n), Tolerance, "dB (relu)");
        TestData.Close(expectDB2, gpu.Download(dB2, n), Tolerance, "dB");
    }

    [Theory]
    [InlineData(true, 1, 3)]
    [InlineData(true, 9, 10)]
    [InlineData(false, 1, 3)]
    [InlineData(false, 9, 10)]
    public void Losses_equal_the_cpu_kernels(bool crossEntropy, int m, int n)
    {
        var logits = TestData.Random(m * n, 7, scale: 30f); // large logits exercise the max shift
        var labels = TestData.Labels(m, n, 8);
        float gradScale = 1f / 128;
        using var dl = gpu.Upload(logits);
        using var dlab = gpu.Upload(labels);
        using var dLogits = gpu.Upload(new float[m * n]);
        using var rowLoss = gpu.Upload(new double[m]);
        using var total = gpu.Upload(new double[1]);
        gpu.Kernels.Loss(gpu.Stream, crossEntropy, dLogits.View, rowLoss.View, total.View, dl.View, dlab.View, m, n, gradScale);

        var expectD = new float[m * n];
        double expectLoss = crossEntropy
            ? Loss.SoftmaxCrossEntropy(expectD, logits, labels, m, n, gradScale)
            : Loss.MseOneHot(expectD, logits, labels, m, n, gradScale);
        double gotLoss = gpu.Download(total, 1)[0];
        Assert.True(Math.Abs(gotLoss - expectLoss) <= 1e-9 * Math.Max(1, Math.Abs(expectLoss)), $"loss {gotLoss} vs {expectLoss}");
        TestData.Close(expectD, gpu.Download(dLogits, m * n), Tolerance, "dLogits");
    }

    [Fact]
    public void Gather_scales_the_chosen_rows_like_the_cpu()
    {
        const int Count = 6, Features = 5;
        var pixels = new byte[Count * Features];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37 % 256);
        var labels = TestData.Labels(Count, 10, 9);
        var split = new DataSplit(pixels, labels, 1, Features);
        int[] rows = [4, 0, 4, 5];
        using var dPixels = gpu.Upload(pixels);
        using var dLabels = gpu.Upload(labels);
        using var dRows = gpu.Upload(rows);
        using var x = gpu.Upload(new float[rows.Length * Features]);
        using var labelsOut = gpu.Upload(new byte[rows.Length]);
        gpu.Kernels.Gather(gpu.Stream, x.View, labelsOut.View, dPixels.View, dLabels.View, dRows.View, rows.Length, Features, 50f);

        var expectX = new float[rows.Length * Features];
        var expectLabels = new byte[rows.Length];
        split.Gather(rows, expectX, expectLabels, 50f);
        Assert.Equal(expectX, gpu.Download(x, expectX.Length));
        Assert.Equal(expectLabels, gpu.Download(labelsOut, rows.Length));
    }
}
