using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Thresher.Core.Data;

namespace Thresher.Gpu;

/// <summary>
/// One ILGPU accelerator with the step's kernels loaded: a CUDA GPU, or ILGPU's CPU accelerator (tests).
/// Shared by every worker of a process; <see cref="Gate"/> serialises their steps (one step fills the GPU),
/// and each dataset split is uploaded once (<see cref="Upload"/>).
/// </summary>
public sealed class GpuRuntime : IDisposable
{
    readonly Context _context;
    readonly ConditionalWeakTable<DataSplit, DeviceSplit> _splits = [];

    GpuRuntime(Context context, Accelerator accelerator, GpuTiles tiles, string name)
    {
        tiles.Validate(accelerator.MaxNumThreadsPerGroup);
        _context = context;
        Accelerator = accelerator;
        Tiles = tiles;
        Name = name;
        Kernels = new GpuKernels(accelerator, tiles);
    }

    /// <summary>"cuda: NVIDIA H100 80GB HBM3 (sm_90, 79 GiB)" or "ilgpu-cpu: …".</summary>
    public string Name { get; }

    public GpuTiles Tiles { get; }

    internal Accelerator Accelerator { get; }

    internal GpuKernels Kernels { get; }

    /// <summary>The device trainer's update kernels, loaded on first use (call under <see cref="Gate"/>, bound).</summary>
    internal UpdateLaunchers Updates => _updates ??= new UpdateLaunchers(Accelerator);

    UpdateLaunchers? _updates;

    /// <summary>Held for the whole of one step on this accelerator.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>
    /// How many times a step path has made the host wait for the device (<see cref="Synchronize"/>): a worker step
    /// waits once, a device-resident training step once. Data uploads at start-up and per epoch are not counted.
    /// </summary>
    public long HostSyncs => Interlocked.Read(ref _hostSyncs);

    long _hostSyncs;

    /// <summary>Waits for <paramref name="stream"/> and counts the wait in <see cref="HostSyncs"/>.</summary>
    internal void Synchronize(AcceleratorStream stream)
    {
        Interlocked.Increment(ref _hostSyncs);
        stream.Synchronize();
    }

    /// <summary>
    /// The first CUDA device, or null with <paramref name="problem"/> saying what was looked for and what failed.
    /// </summary>
    public static GpuRuntime? TryCreateCuda(out string problem, GpuTiles? tiles = null)
    {
        CudaDriver.InstallResolver();
        if (!CudaDriver.TryLoad(out problem)) return null;
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O2).EnableAlgorithms());
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
            {
                problem = $"the NVIDIA driver ({CudaDriver.LinuxLibrary}) loaded but reports no CUDA device";
                context.Dispose();
                return null;
            }
            var device = devices[0];
            var accelerator = device.CreateAccelerator(context);
            string name = $"cuda: {accelerator.Name} ({device.Architecture}, {device.MemorySize >> 30} GiB)";
            return new GpuRuntime(context, accelerator, tiles ?? new GpuTiles(), name);
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException)
        {
            problem = $"the CUDA driver failed to start: {e.GetBaseException().Message}";
            context?.Dispose();
            return null;
        }
    }

    /// <summary>
    /// ILGPU's CPU accelerator simulating a small device (warp size × warps per multiprocessor threads per
    /// group): runs the same kernels, ~100× slower than the SIMD CPU backend. For tests.
    /// </summary>
    public static GpuRuntime CreateCpu(GpuTiles tiles, int warpSize = 4, int warpsPerMultiprocessor = 4, int multiprocessors = 1)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        var context = Context.Create(b => b.CPU(new CPUDevice(warpSize, warpsPerMultiprocessor, multiprocessors)).EnableAlgorithms());
        var accelerator = context.GetCPUDevice(0).CreateAccelerator(context);
        return new GpuRuntime(context, accelerator, tiles, $"ilgpu-cpu ({warpSize}x{warpsPerMultiprocessor}x{multiprocessors} simulated)");
    }

    /// <summary>The split's pixels and labels on the device, uploaded on first use.</summary>
    internal DeviceSplit Upload(DataSplit split)
    {
        lock (_splits)
        {
            if (_splits.TryGetValue(split, out var loaded)) return loaded;
            var uploaded = new DeviceSplit(Accelerator, split);
            _splits.Add(split, uploaded);
            return uploaded;
        }
    }

    public void Dispose()
    {
        lock (_splits)
        {
            foreach (var (_, split) in _splits) split.Dispose();
            _splits.Clear();
        }
        Accelerator.Dispose();
        _context.Dispose();
    }
}

/// <summary>A dataset split on the device: pixels [count, features] uint8, labels [count] uint8.</summary>
internal sealed class DeviceSplit : IDisposable
{
    public DeviceSplit(Accelerator accelerator, DataSplit split)
    {
        Pixels = accelerator.Allocate1D<byte>(Math.Max(1, split.Pixels.Length));
        Labels = accelerator.Allocate1D<byte>(Math.Max(1, split.Labels.Length));
        ((ArrayView<byte>)Pixels.View).SubView(0, split.Pixels.Length).CopyFromCPU(split.Pixels.Span);
        ((ArrayView<byte>)Labels.View).SubView(0, split.Labels.Length).CopyFromCPU(split.Labels.Span);
    }

    public MemoryBuffer1D<byte, Stride1D.Dense> Pixels { get; }

    public MemoryBuffer1D<byte, Stride1D.Dense> Labels { get; }

    public void Dispose()
    {
        Pixels.Dispose();
        Labels.Dispose();
    }
}
