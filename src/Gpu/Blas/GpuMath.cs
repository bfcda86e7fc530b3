namespace Thresher.Gpu;

/// <summary>
/// How cuBLAS multiplies float32 matrices (`--gpu-math`). Fp32: IEEE single precision, the CPU kernels' results
/// to rounding (≤ 1e-5 relative). Tf32: tensor cores, inputs rounded to TF32 (10-bit mantissa, relative
/// error ~5e-4 per product, accumulated in fp32): several times the GEMM throughput, gradients differ from the
/// CPU's by ~1e-3 relative. Needs cuBLAS; the ILGPU fallback GEMM is fp32 only.
/// </summary>
public enum GpuMath
{
    Fp32,
    Tf32,
}

/// <summary>Parsing and naming of <see cref="GpuMath"/>.</summary>
public static class GpuMaths
{
    /// <summary>The accepted names, for help texts and messages.</summary>
    public const string Names = "fp32 or tf32";

    /// <summary>Parses a math name (case-insensitive; null or empty = fp32).</summary>
    public static GpuMath Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "fp32" => GpuMath.Fp32,
        "tf32" => GpuMath.Tf32,
        _ => throw new ThresherInputException($"gpu-math '{name}': unknown; expected {Names}"),
    };

    public static string Name(GpuMath math) => math == GpuMath.Tf32 ? "tf32" : "fp32";
}
