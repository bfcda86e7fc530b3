using ILGPU;
using ILGPU.Runtime;

namespace Thresher.Gpu.Tests;

/// <summary>
/// One ILGPU CPU accelerator simulating a tiny device (warp 4, 4 warps, 1 multiprocessor: 16 threads per group)
/// with tiles small enough that every kernel's edge handling runs at small shapes. Shared by the tests.
/// </summary>
public sealed class CpuAccelerator : IDisposable
{
    public static GpuTiles TinyTiles { get; } = new() { GroupX = 2, GroupY = 2, TileK = 3, BiasChunkRows = 3, ReduceGroup = 4, ElementGroup = 8 };

    public GpuRuntime Runtime { get; } = GpuRuntime.CreateCpu(TinyTiles);

    internal GpuKernels Kernels => Runtime.Kernels;

    internal AcceleratorStream Stream => Runtime.Accelerator.DefaultStream;

    /// <summary>A device copy of <paramref name="host"/>.</summary>
    internal MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] host) where T : unmanaged
    {
        var buffer = Runtime.Accelerator.Allocate1D<T>(Math.Max(1, host.Length));
        ((ArrayView<T>)buffer.View).SubView(0, host.Length).CopyFromCPU(host.AsSpan());
        return buffer;
    }

    /// <summary>The first <paramref name="count"/> elements of a device buffer, after the stream finishes.</summary>
    internal T[] Download<T>(MemoryBuffer1D<T, Stride1D.Dense> buffer, int count) where T : unmanaged
    {
        Stream.Synchronize();
        var host = new T[count];
        ((ArrayView<T>)buffer.View).SubView(0, count).CopyToCPU(host.AsSpan());
        return host;
    }

    public void Dispose() => Runtime.Dispose();
}

[CollectionDefinition(Name)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAccelerator>
{
    public const string Name = "ILGPU CPU accelerator";
}

/// <summary>Seeded test data and tolerance checks.</summary>
static class TestData
{
    public static float[] Random(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    public static byte[] Labels(int length, int classes, int seed)
    {
        var random = new Random(seed);
        var labels = new byte[length];
        for (int i = 0; i < length; i++) labels[i] = (byte)random.Next(classes);
        return labels;
    }

    /// <summary>Asserts |actual − expected| ≤ tolerance · max(1, max |expected|) element-wise.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= tolerance * scale, $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (|error| {error:g3} > {tolerance * scale:g3})");
        }
    }
}
