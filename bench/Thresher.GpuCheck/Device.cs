using ILGPU;
using ILGPU.Runtime;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;
using Thresher.Gpu;

namespace Thresher.GpuCheck;

/// <summary>Buffers to and from the device, seeded data, the error measure, and the CPU reference run.</summary>
static class Device
{
    /// <summary>y, dW, dW0 + dW (accumulated) and dX from the engine's three forms, copied back.</summary>
    public static (float[] Y, float[] DW, float[] DWAcc, float[] DX) RunForms(GpuRuntime gpu, IGemmForms forms, float[] x, float[] w, float[] dY, float[] dW0, int m, int k, int n)
    {
        var s = gpu.Accelerator.DefaultStream;
        using var dx = Upload(gpu, x);
        using var dw = Upload(gpu, w);
        using var ddY = Upload(gpu, dY);
        using var y = Upload(gpu, new float[m * n]);
        using var dW = Upload(gpu, new float[k * n]);
        using var dWAcc = Upload(gpu, dW0);
        using var dX = Upload(gpu, new float[m * k]);
        forms.Forward(s, y.View, dx.View, dw.View, m, k, n);
        forms.WeightGradient(s, dW.View, dx.View, ddY.View, m, k, n);
        forms.WeightGradient(s, dWAcc.View, dx.View, ddY.View, m, k, n, accumulate: true);
        forms.InputGradient(s, dX.View, ddY.View, dw.View, m, k, n);
        return (Download(gpu, y, m * n), Download(gpu, dW, k * n), Download(gpu, dWAcc, k * n), Download(gpu, dX, m * k));
    }

    /// <summary>The CPU reference of a run: one worker and Core's update rule (the single-process trainer with W = 1).</summary>
    public static (float[] Theta, List<StepStatistics> Stats) CpuSteps(TrainingOptions options, DataSplit train, long steps)
    {
        using var worker = new WorkerGradient(options, train, 1, 0, false, Environment.ProcessorCount);
        var theta = new float[worker.ParameterCount];
        Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        var rule = options.CreateUpdateRule(worker.Layout, options.TotalSteps(worker.Schedule.StepsPerEpoch));
        var grad = new float[theta.Length];
        var stats = new List<StepStatistics>();
        for (long step = 0; step < steps; step++)
        {
            var part = worker.Compute(step, theta, grad, withLocalNorm: false);
            stats.Add(rule.Apply(theta, grad, step, part.LossSum / part.Samples));
        }
        return (theta, stats);
    }

    /// <summary>max |actual − expected| / max |expected| (NaN when only one side is NaN somewhere).</summary>
    public static double Error(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double scale = 0, error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            error = Math.Max(error, Math.Abs((double)actual[i] - expected[i]));
            if (float.IsNaN(actual[i]) != float.IsNaN(expected[i])) return double.NaN;
        }
        return scale == 0 ? error : error / scale;
    }

    public static float[] Random(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    public static MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(GpuRuntime gpu, T[] host) where T : unmanaged
    {
        var buffer = gpu.Accelerator.Allocate1D<T>(Math.Max(1, host.Length));
        ((ArrayView<T>)buffer.View).SubView(0, host.Length).CopyFromCPU(host.AsSpan());
        return buffer;
    }

    public static T[] Download<T>(GpuRuntime gpu, MemoryBuffer1D<T, Stride1D.Dense> buffer, int count) where T : unmanaged
    {
        gpu.Accelerator.DefaultStream.Synchronize();
        var host = new T[count];
        ((ArrayView<T>)buffer.View).SubView(0, count).CopyToCPU(host.AsSpan());
        return host;
    }

    /// <summary>A random 28×28 split (throughput only).</summary>
    public static DataSplit SyntheticSplit(int count)
    {
        var pixels = new byte[count * 784];
        new Random(11).NextBytes(pixels);
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)(i % 10);
        return new DataSplit(pixels, labels, 28, 28, "synthetic");
    }
}
