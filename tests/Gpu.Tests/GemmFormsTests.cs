using Thresher.Core.Kernels;

namespace Thresher.Gpu.Tests;

/// <summary>
/// The row-major → column-major mapping of the three GEMM forms (<see cref="BlasGemmForms"/>), run through the
/// naive column-major sgemm twin that takes cuBLAS's exact arguments, equals Core's SIMD kernels over a shape sweep
/// (1s, odd sizes, the MLP's shapes); ILGPU's tiled forms, the fallback, equal them too, accumulate included.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class GemmFormsTests(CpuAccelerator gpu)
{
    const double Tolerance = 1e-5;

    public static TheoryData<int, int, int> Sweep => new()
    {
        { 1, 1, 1 }, { 1, 7, 3 }, { 5, 1, 4 }, { 3, 4, 1 }, { 13, 6, 17 }, { 16, 16, 8 }, { 2, 33, 9 },
    };

    public static TheoryData<int, int, int> MlpShapes => new()
    {
        { 32, 784, 512 }, { 32, 512, 256 }, { 32, 256, 10 }, { 7, 784, 512 },
    };

    [Theory]
    [MemberData(nameof(Sweep))]
    [MemberData(nameof(MlpShapes))]
    public void Blas_mapping_on_the_column_major_twin_equals_the_cpu_kernels(int m, int k, int n)
    {
        using var forms = new BlasGemmForms(new HostSgemm(gpu.Stream));
        AssertFormsEqualCpu(forms, m, k, n);
    }

    [Theory]
    [MemberData(nameof(Sweep))]
    public void Tiled_forms_equal_the_cpu_kernels(int m, int k, int n)
    {
        using var forms = new TiledGemmForms(gpu.Kernels);
        AssertFormsEqualCpu(forms, m, k, n);
    }

    void AssertFormsEqualCpu(IGemmForms forms, int m, int k, int n)
    {
        var x = TestData.Random(m * k, 1);
        var w = TestData.Random(k * n, 2);
        var dY = TestData.Random(m * n, 3);
        var dW0 = TestData.Random(k * n, 4);
        using var dx = gpu.Upload(x);
        using var dw = gpu.Upload(w);
        using var ddY = gpu.Upload(dY);
        using var y = gpu.Upload(Poisoned(m * n));
        using var dW = gpu.Upload(Poisoned(k * n));
        using var dWAcc = gpu.Upload(dW0);
        using var dX = gpu.Upload(Poisoned(m * k));
        forms.Forward(gpu.Stream, y.View, dx.View, dw.View, m, k, n);
        forms.WeightGradient(gpu.Stream, dW.View, dx.View, ddY.View, m, k, n);
        forms.WeightGradient(gpu.Stream, dWAcc.View, dx.View, ddY.View, m, k, n, accumulate: true);
        forms.InputGradient(gpu.Stream, dX.View, ddY.View, dw.View, m, k, n);

        var expectY = new float[m * n];
        var expectDW = new float[k * n];
        var expectDX = new float[m * k];
        Gemm.Forward(expectY, x, w, m, k, n);
        Gemm.WeightGradient(expectDW, x, dY, m, k, n);
        Gemm.InputGradient(expectDX, dY, w, m, k, n);
        var expectAcc = new float[k * n];
        for (int i = 0; i < expectAcc.Length; i++) expectAcc[i] = dW0[i] + expectDW[i];
        string shape = $"{forms.Name} m={m} k={k} n={n}";
        TestData.Close(expectY, gpu.Download(y, m * n), Tolerance, $"forward y, {shape}");
        TestData.Close(expectDW, gpu.Download(dW, k * n), Tolerance, $"weight gradient dW, {shape}");
        TestData.Close(expectAcc, gpu.Download(dWAcc, k * n), Tolerance, $"accumulated dW, {shape}");
        TestData.Close(expectDX, gpu.Download(dX, m * k), Tolerance, $"input gradient dX, {shape}");
    }

    /// <summary>Outputs start as NaN: an overwrite (β = 0) must not read them.</summary>
    static float[] Poisoned(int length) => Enumerable.Repeat(float.NaN, length).ToArray();

    [Fact]
    public void Host_sgemm_follows_blas_for_alpha_beta_and_transposes()
    {
        // op(A) = Aᵀ with A stored [2×3] column-major (lda 2): op(A) is 3×2. B stored [2×2], not transposed.
        float[] a = [1, 2, 3, 4, 5, 6];   // A = [[1,3,5],[2,4,6]]
        float[] b = [1, 0, 1, 1];         // B = [[1,1],[0,1]]
        float[] c = [1, 1, 1, 1, 1, 1];   // C 3×2, ldc 3
        using var da = gpu.Upload(a);
        using var db = gpu.Upload(b);
        using var dc = gpu.Upload(c);
        using var sgemm = new HostSgemm(gpu.Stream);
        sgemm.Sgemm(Transpose.Transposed, Transpose.None, 3, 2, 2, 2f, da.View, 2, db.View, 2, 0.5f, dc.View, 3);
        // Aᵀ·B = [[1,3],[3,7],[5,11]]; C = 2·that + 0.5, column-major.
        Assert.Equal([2.5f, 6.5f, 10.5f, 6.5f, 14.5f, 22.5f], gpu.Download(dc, 6));
    }

    [Fact]
    public void Sgemm_arguments_reject_a_short_leading_dimension_and_a_short_buffer()
    {
        using var a = gpu.Upload(new float[12]);
        using var c = gpu.Upload(new float[12]);
        using var sgemm = new HostSgemm(gpu.Stream);
        var ld = Assert.Throws<ArgumentOutOfRangeException>(() => sgemm.Sgemm(Transpose.None, Transpose.None, 4, 3, 3, 1f, a.View, 3, a.View, 3, 0f, c.View, 4));
        Assert.Contains("lda 3 < max(1, 4)", ld.Message, StringComparison.Ordinal);
        var length = Assert.Throws<ArgumentException>(() => sgemm.Sgemm(Transpose.None, Transpose.None, 4, 4, 3, 1f, a.View, 4, a.View, 3, 0f, c.View, 4));
        Assert.Contains("C [4×4, ld 4] needs 16 floats, the buffer has 12", length.Message, StringComparison.Ordinal);
    }
}
