using Thresher.Core.Kernels;

namespace Thresher.Core.Tests.Kernels;

/// <summary>
/// Which branch of an element-wise kernel a test runs, by name (theory data): "public", the entry production
/// calls (this machine's widest accelerated width), or a width forced through the kernel's internal overload —
/// "scalar", "vector128", "vector256", "vector512" — so an AVX-512 host also runs the Vector256 branches.
/// </summary>
internal static class KernelPath
{
    public static VectorWidth? Width(string path) => path switch
    {
        "public" => null,
        "scalar" => VectorWidth.Scalar,
        "vector128" => VectorWidth.Vector128,
        "vector256" => VectorWidth.Vector256,
        "vector512" => VectorWidth.Vector512,
        _ => throw new ArgumentException($"unknown kernel path '{path}'", nameof(path)),
    };

    /// <summary>Runs <paramref name="publicEntry"/> for "public", else <paramref name="forced"/> with the path's width.</summary>
    public static void Run(string path, Action publicEntry, Action<VectorWidth> forced)
    {
        if (Width(path) is { } width) forced(width);
        else publicEntry();
    }
}
