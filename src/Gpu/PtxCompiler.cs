using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Thresher.Gpu;

/// <summary>
/// Compiles every kernel to PTX for a given architecture without a GPU (ILGPU's PTX backend needs no device).
/// Catches constructs the CUDA backend rejects before a GPU ever sees them.
/// </summary>
public static class PtxCompiler
{
    /// <summary>Kernel name → PTX text, for every kernel of the step.</summary>
    public static IReadOnlyDictionary<string, string> CompileAll(CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        using var context = Context.Create(b => b.Optimize(OptimizationLevel.O2).EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, null);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var method in GpuKernels.EntryPoints)
        {
            var entry = EntryPointDescription.FromExplicitlyGroupedKernel(method);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            result[$"{method.DeclaringType!.Name}.{method.Name}"] = compiled.PTXAssembly;
        }
        return result;
    }
}
