using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;

namespace Thresher.Gpu;

/// <summary>
/// Makes ILGPU find the NVIDIA driver on Linux. ILGPU imports it as "cuda"/"nvcuda", which .NET probes as
/// libcuda.so; drivers install libcuda.so.1 (libcuda.so only comes with the CUDA toolkit), so without this
/// resolver ILGPU silently finds no CUDA device. ILGPU installs its own resolver only on WSL.
/// </summary>
internal static class CudaDriver
{
    /// <summary>The driver library's file name on Linux.</summary>
    public const string LinuxLibrary = "libcuda.so.1";

    static int _installed;

    /// <summary>Installs the resolver once per process (before ILGPU's first CUDA call).</summary>
    public static void InstallResolver()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // ILGPU already installed its own resolver (WSL); that one knows where the driver lives.
        }
    }

    /// <summary>Whether the driver library loads, and if not, why (for error messages).</summary>
    public static bool TryLoad(out string problem)
    {
        problem = "";
        if (!OperatingSystem.IsLinux()) return true; // Windows: nvcuda.dll is found by the default probing
        if (NativeLibrary.TryLoad(LinuxLibrary, out _) || NativeLibrary.TryLoad("libcuda.so", out _)) return true;
        problem = $"looked for the NVIDIA driver library {LinuxLibrary}: not found or it did not load (is an NVIDIA driver installed, and is the GPU visible to this container?)";
        return false;
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (!OperatingSystem.IsLinux() || name is not ("cuda" or "nvcuda" or "libcuda" or "libcuda.so")) return IntPtr.Zero;
        if (NativeLibrary.TryLoad(LinuxLibrary, assembly, path, out var handle)) return handle;
        return NativeLibrary.TryLoad("libcuda.so", assembly, path, out handle) ? handle : IntPtr.Zero;
    }
}
