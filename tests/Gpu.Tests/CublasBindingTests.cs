using System.Diagnostics;
using System.Runtime.InteropServices;
using Thresher.Core.Kernels;

namespace Thresher.Gpu.Tests;

/// <summary>
/// The cuBLAS bindings without a GPU: a stand-in library with cuBLAS's five entry points and C signatures
/// (Native/cublas_stub.c, built here with cc) is loaded the way libcublas is, and the GEMM forms run through
/// <see cref="CublasSgemm"/> → <see cref="CublasLibrary"/>'s function pointers into it, on ILGPU's CPU accelerator.
/// This checks what a GPU run would otherwise find first: entry-point names, argument order and types, α/β passed by
/// pointer, the stream and math mode set on the handle, status codes, and the handle's release.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed unsafe class CublasBindingTests(CpuAccelerator gpu) : IDisposable
{
    readonly List<string> _folders = [];

    /// <summary>Removes the built stubs (a loaded library stays mapped after its file is unlinked).</summary>
    public void Dispose()
    {
        foreach (string folder in _folders) Directory.Delete(folder, recursive: true);
    }

    [CompilerFact]
    public void Gemm_forms_run_through_the_bindings_into_a_cublas_shaped_library()
    {
        string path = Build("libcublas.so.13");
        var library = CublasLibrary.TryLoadFrom([path], out string problem);
        Assert.True(library is not null, problem);
        var stub = NativeLibrary.Load(path);
        var live = (delegate* unmanaged<int>)NativeLibrary.GetExport(stub, "stub_live_handles");
        var math = (delegate* unmanaged<int>)NativeLibrary.GetExport(stub, "stub_last_math_mode");
        var stream = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(stub, "stub_last_stream");

        using (var forms = new BlasGemmForms(new CublasSgemm(library, 0x5eed, GpuMath.Tf32)))
        {
            Assert.Equal(1, live());
            Assert.Equal(3, math()); // CUBLAS_TF32_TENSOR_OP_MATH
            Assert.Equal(0x5eed, stream());
            foreach (var (m, k, n) in new[] { (1, 1, 1), (5, 7, 3), (13, 6, 17), (32, 784, 10) }) AssertForms(forms, m, k, n);
        }
        Assert.Equal(0, live()); // disposing the forms destroys the handle
        using (new CublasSgemm(library, 0, GpuMath.Fp32)) Assert.Equal(0, math()); // CUBLAS_DEFAULT_MATH
    }

    [CompilerFact]
    public void A_library_missing_an_entry_point_is_refused_by_name()
    {
        string path = Build("libcublas-nosgemm.so", "-DNO_SGEMM");
        Assert.Null(CublasLibrary.TryLoadFrom(["/nonexistent/libcublas.so.13", path], out string problem));
        Assert.Contains("cublasSgemm_v2", problem, StringComparison.Ordinal);
        Assert.StartsWith(path, problem, StringComparison.Ordinal);
    }

    [CompilerFact]
    public void A_failing_status_names_the_call_and_the_status()
    {
        var library = CublasLibrary.TryLoadFrom([Build("libcublas.so.13")], out string problem);
        Assert.True(library is not null, problem);
        IntPtr handle = library.Create();
        var e = Assert.Throws<InvalidOperationException>(() => library.SetMathMode(handle, 99));
        Assert.Equal("cublasSetMathMode failed: CUBLAS_STATUS_INVALID_VALUE (7)", e.Message);
        library.Destroy(handle);
    }

    void AssertForms(IGemmForms forms, int m, int k, int n)
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
        forms.Forward(gpu.Stream, y.View, dx.View, dw.View, m, k, n);
        forms.WeightGradient(gpu.Stream, dW.View, dx.View, ddY.View, m, k, n);
        forms.InputGradient(gpu.Stream, dX.View, ddY.View, dw.View, m, k, n);
        var ey = new float[m * n];
        var edW = new float[k * n];
        var edX = new float[m * k];
        Gemm.Forward(ey, x, w, m, k, n);
        Gemm.WeightGradient(edW, x, dY, m, k, n);
        Gemm.InputGradient(edX, dY, w, m, k, n);
        TestData.Close(ey, gpu.Download(y, m * n), 1e-5, $"y m={m} k={k} n={n}");
        TestData.Close(edW, gpu.Download(dW, k * n), 1e-5, $"dW m={m} k={k} n={n}");
        TestData.Close(edX, gpu.Download(dX, m * k), 1e-5, $"dX m={m} k={k} n={n}");
    }

    /// <summary>Builds Native/cublas_stub.c into a fresh folder as <paramref name="name"/>; returns its path.</summary>
    string Build(string name, string define = "")
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Native", "cublas_stub.c");
        string folder = Directory.CreateTempSubdirectory("thresher-cublas-stub-").FullName;
        _folders.Add(folder);
        string output = Path.Combine(folder, name);
        var start = new ProcessStartInfo("cc") { RedirectStandardError = true };
        foreach (string arg in new[] { "-shared", "-fPIC", "-O1", define, "-o", output, source }.Where(a => a.Length > 0)) start.ArgumentList.Add(arg);
        using var cc = Process.Start(start)!;
        string errors = cc.StandardError.ReadToEnd();
        Assert.True(cc.WaitForExit(60_000), "cc did not finish in 60 s");
        Assert.True(cc.ExitCode == 0, $"cc failed: {errors}");
        return output;
    }
}

/// <summary>A fact that builds native code: skipped, with the reason, where no C compiler (cc) is on the PATH.</summary>
public sealed class CompilerFactAttribute : FactAttribute
{
    public CompilerFactAttribute()
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, "cc")));
        if (!found) Skip = "needs a C compiler (cc) to build the stand-in cuBLAS; apt-get install gcc";
    }
}
