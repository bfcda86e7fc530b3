using System.Runtime.InteropServices;

namespace Thresher.Gpu;

/// <summary>
/// cuBLAS, found at run time the way <see cref="CudaDriver"/> finds the driver: NativeLibrary.TryLoad of
/// libcublas.so.13 (CUDA 13), then .12, then libcublas.so (toolkit symlink); cublas64_13/12.dll on Windows.
/// Only the five entry points the step needs are bound (v2 API, host-side α/β). Nothing is linked at build time,
/// so machines without CUDA build, test and run the ILGPU fallback.
/// </summary>
internal sealed unsafe class CublasLibrary
{
    /// <summary>The file names tried, in order: the loader's search path, then the CUDA toolkit's default folder.</summary>
    public static IReadOnlyList<string> Candidates { get; } = OperatingSystem.IsWindows()
        ? ["cublas64_13.dll", "cublas64_12.dll"]
        : ["libcublas.so.13", "libcublas.so.12", "libcublas.so", "/usr/local/cuda/lib64/libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.12"];

    /// <summary>An environment variable naming the library file to use instead of the search (a pip wheel's copy, say).</summary>
    public const string PathVariable = "THRESHER_CUBLAS";

    static readonly Lock Gate = new();
    static CublasLibrary? _loaded;

    readonly delegate* unmanaged<IntPtr*, int> _create;                 // cublasCreate_v2(cublasHandle_t*)
    readonly delegate* unmanaged<IntPtr, int> _destroy;                 // cublasDestroy_v2(handle)
    readonly delegate* unmanaged<IntPtr, IntPtr, int> _setStream;       // cublasSetStream_v2(handle, cudaStream_t)
    readonly delegate* unmanaged<IntPtr, int, int> _setMathMode;        // cublasSetMathMode(handle, cublasMath_t)
    readonly delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, IntPtr, int, float*, IntPtr, int, int> _sgemm; // cublasSgemm_v2

    CublasLibrary(string file, IntPtr handle)
    {
        File = file;
        _create = (delegate* unmanaged<IntPtr*, int>)NativeLibrary.GetExport(handle, "cublasCreate_v2");
        _destroy = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(handle, "cublasDestroy_v2");
        _setStream = (delegate* unmanaged<IntPtr, IntPtr, int>)NativeLibrary.GetExport(handle, "cublasSetStream_v2");
        _setMathMode = (delegate* unmanaged<IntPtr, int, int>)NativeLibrary.GetExport(handle, "cublasSetMathMode");
        _sgemm = (delegate* unmanaged<IntPtr, int, int, int, int, int, float*, IntPtr, int, IntPtr, int, float*, IntPtr, int, int>)NativeLibrary.GetExport(handle, "cublasSgemm_v2");
    }

    /// <summary>The file that loaded ("libcublas.so.13").</summary>
    public string File { get; }

    /// <summary>The process's cuBLAS ($THRESHER_CUBLAS, else the first of <see cref="Candidates"/> that loads), loaded on first call; null and what was looked for when none loads.</summary>
    public static CublasLibrary? TryLoad(out string problem)
    {
        lock (Gate)
        {
            problem = "";
            if (_loaded is not null) return _loaded;
            string? chosen = Environment.GetEnvironmentVariable(PathVariable);
            return _loaded = TryLoadFrom(string.IsNullOrEmpty(chosen) ? Candidates : [chosen], out problem);
        }
    }

    /// <summary>The first of <paramref name="candidates"/> (file names or paths) that loads and exports the five entry points.</summary>
    internal static CublasLibrary? TryLoadFrom(IReadOnlyList<string> candidates, out string problem)
    {
        problem = "";
        foreach (string name in candidates)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            try
            {
                return new CublasLibrary(name, handle);
            }
            catch (EntryPointNotFoundException e)
            {
                problem = $"{name} loaded but is not usable: {e.Message}";
            }
        }
        problem = problem.Length > 0 ? problem
            : $"looked for cuBLAS as {string.Join(", ", candidates)}: none found (it ships with the CUDA toolkit or the nvidia-cublas package; add its folder to LD_LIBRARY_PATH or name the file in ${PathVariable})";
        return null;
    }

    public IntPtr Create()
    {
        IntPtr handle;
        Check(_create(&handle), "cublasCreate_v2");
        return handle;
    }

    public void Destroy(IntPtr handle) => Check(_destroy(handle), "cublasDestroy_v2");

    public void SetStream(IntPtr handle, IntPtr stream) => Check(_setStream(handle, stream), "cublasSetStream_v2");

    /// <summary>cublasMath_t: 0 CUBLAS_DEFAULT_MATH, 2 CUBLAS_PEDANTIC_MATH, 3 CUBLAS_TF32_TENSOR_OP_MATH.</summary>
    public void SetMathMode(IntPtr handle, int mode) => Check(_setMathMode(handle, mode), "cublasSetMathMode");

    public void Sgemm(IntPtr handle, Transpose transA, Transpose transB, int m, int n, int k, float alpha, IntPtr a, int lda, IntPtr b, int ldb, float beta, IntPtr c, int ldc) =>
        Check(_sgemm(handle, (int)transA, (int)transB, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc), "cublasSgemm_v2");

    /// <summary>Throws for a cublasStatus_t other than CUBLAS_STATUS_SUCCESS (0), naming the call and the status.</summary>
    static void Check(int status, string call)
    {
        if (status == 0) return;
        string name = status switch
        {
            1 => "NOT_INITIALIZED",
            3 => "ALLOC_FAILED",
            7 => "INVALID_VALUE",
            8 => "ARCH_MISMATCH",
            11 => "MAPPING_ERROR",
            13 => "EXECUTION_FAILED",
            14 => "INTERNAL_ERROR",
            15 => "NOT_SUPPORTED",
            16 => "LICENSE_ERROR",
            _ => "unknown",
        };
        throw new InvalidOperationException($"{call} failed: CUBLAS_STATUS_{name} ({status})");
    }
}
