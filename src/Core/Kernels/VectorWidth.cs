using System.Runtime.Intrinsics;

namespace Thresher.Core.Kernels;

/// <summary>
/// The widest SIMD vector an element-wise kernel (activations, SGD, pixel scaling) may use; each kernel runs its
/// widest branch not above it and finishes with scalar code. The public entries pass <see cref="VectorWidths.Best"/>;
/// tests pass each width so every branch runs on any host (a Vector512 branch runs, emulated in software, where
/// the hardware lacks it). The GEMMs have their own switch (use512).
/// </summary>
internal enum VectorWidth
{
    Scalar = 0,
    Vector128 = 128,
    Vector256 = 256,
    Vector512 = 512,
}

/// <summary>The widths this process accelerates.</summary>
internal static class VectorWidths
{
    /// <summary>
    /// Vector512 where accelerated, else Vector256, else Vector128, else scalar: the choice the kernels made
    /// from <c>IsHardwareAccelerated</c> before the width could be forced. (Kernels without a Vector128 branch
    /// run scalar code under Vector128, as they did.)
    /// </summary>
    public static readonly VectorWidth Best =
        Vector512.IsHardwareAccelerated ? VectorWidth.Vector512
        : Vector256.IsHardwareAccelerated ? VectorWidth.Vector256
        : Vector128.IsHardwareAccelerated ? VectorWidth.Vector128
        : VectorWidth.Scalar;
}
