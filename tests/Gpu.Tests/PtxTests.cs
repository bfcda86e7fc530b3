using System.Globalization;
using System.Text.RegularExpressions;
using ILGPU.Runtime.Cuda;

namespace Thresher.Gpu.Tests;

/// <summary>
/// Every kernel compiles to PTX for Hopper (sm_90, PTX ISA 8.8) without a GPU, so the CUDA backend accepts all
/// of them. ILGPU 1.5.3 caps the emitted target at sm_80, which the driver JIT-compiles for sm_90.
/// </summary>
public sealed partial class PtxTests
{
    [Fact]
    public void Every_kernel_compiles_to_ptx_for_sm_90()
    {
        var ptx = PtxCompiler.CompileAll(CudaArchitecture.SM_90, CudaInstructionSet.ISA_88);
        Assert.Equal(GpuKernels.EntryPoints.Count, ptx.Count);
        foreach (var (name, text) in ptx)
        {
            var target = Target().Match(text);
            Assert.True(target.Success, $"{name}: no .target line in {text[..Math.Min(300, text.Length)]}");
            int sm = int.Parse(target.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.InRange(sm, 52, 90); // loadable on sm_90
            Assert.Contains(".version 8.8", text, StringComparison.Ordinal);
            Assert.Contains(".entry", text, StringComparison.Ordinal);
        }
        Assert.Contains("GemmKernel.Run", ptx.Keys);
        Assert.Contains("__dyn_shared_alloca", ptx["GemmKernel.Run"], StringComparison.Ordinal); // tiles staged in shared memory
    }

    [GeneratedRegex(@"^\.target sm_(\d+)", RegexOptions.Multiline)]
    private static partial Regex Target();
}
