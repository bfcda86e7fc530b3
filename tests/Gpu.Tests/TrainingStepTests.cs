using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Gpu.Tests;

/// <summary>
/// A whole worker step on the ILGPU backend (CPU accelerator) equals the SIMD CPU step to 1e-5: gradient,
/// loss sum and local norm, for both losses, one worker and a worker of three with a ragged last part.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class TrainingStepTests(CpuAccelerator gpu)
{
    const double Tolerance = 1e-5;
    const int Rows = 6, Cols = 5, Classes = 7;

    [Theory]
    [InlineData(LossKind.CrossEntropy, 1, 0)]
    [InlineData(LossKind.Mse, 1, 0)]
    [InlineData(LossKind.CrossEntropy, 3, 2)]
    public void Worker_step_equals_the_cpu_step(LossKind loss, int workers, int worker)
    {
        var options = new TrainingOptions
        {
            Layers = new MlpConfig([Rows * Cols, 11, 9, Classes]),
            Loss = loss,
            Batch = 13,
            InputScale = loss == LossKind.Mse ? 50f : 255f,
            Init = InitKind.He,
        };
        var train = Split(40, seed: 3);
        var theta = new float[new ParameterLayout(options.Layers).TotalLength];
        Initializer.Initialize(theta, new ParameterLayout(options.Layers), options.Init, options.Seed);

        using var cpu = new WorkerGradient(options, train, workers, worker, fixedShards: false, threads: 1);
        using var ilgpu = new WorkerGradient(options, train, workers, worker, fixedShards: false, threads: 1, GradientBackends.ForRuntime(gpu.Runtime));
        Assert.StartsWith("ilgpu-cpu", ilgpu.BackendName, StringComparison.Ordinal);
        var expected = new float[theta.Length];
        var actual = new float[theta.Length];
        for (long step = 0; step < 2; step++)
        {
            var e = cpu.Compute(step, theta, expected);
            var a = ilgpu.Compute(step, theta, actual);
            Assert.Equal(e.Samples, a.Samples);
            Assert.True(Math.Abs(e.LossSum - a.LossSum) <= Tolerance * Math.Max(1, e.LossSum), $"loss sum {a.LossSum} vs {e.LossSum}");
            Assert.True(Math.Abs(e.LocalNorm - a.LocalNorm) <= Tolerance * Math.Max(1, e.LocalNorm), $"local norm {a.LocalNorm} vs {e.LocalNorm}");
            TestData.Close(expected, actual, Tolerance, $"gradient at step {step}");
        }
    }

    /// <summary>
    /// The same step with the GEMMs mapped onto column-major sgemm (cuBLAS's arguments, the host twin here), and the
    /// worker step's one host sync (θ and rows go up, gradient and loss come down, asynchronously).
    /// </summary>
    [Fact]
    public void Blas_gemms_give_the_same_step_with_one_host_sync_per_step()
    {
        var options = new TrainingOptions { Layers = new MlpConfig([Rows * Cols, 11, 9, Classes]), Batch = 13, Init = InitKind.He };
        var train = Split(40, seed: 4);
        var layout = new ParameterLayout(options.Layers);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, options.Init, options.Seed);
        var blasFactory = GradientBackends.ForRuntime(gpu.Runtime, () => new BlasGemmForms(new HostSgemm(gpu.Stream)), "host twin");
        using var cpu = new WorkerGradient(options, train, 1, 0, fixedShards: false, threads: 1);
        using var blas = new WorkerGradient(options, train, 1, 0, fixedShards: false, threads: 1, blasFactory);
        var expected = new float[theta.Length];
        var actual = new float[theta.Length];
        long syncs = gpu.Runtime.HostSyncs;
        for (long step = 0; step < 3; step++)
        {
            var e = cpu.Compute(step, theta, expected);
            var a = blas.Compute(step, theta, actual);
            Assert.True(Math.Abs(e.LossSum - a.LossSum) <= Tolerance * Math.Max(1, e.LossSum), $"loss sum {a.LossSum} vs {e.LossSum}");
            TestData.Close(expected, actual, Tolerance, $"gradient at step {step}");
        }
        Assert.Equal(syncs + 3, gpu.Runtime.HostSyncs);
    }

    /// <summary>The default (GPU) tiles — 16×16-thread GEMM groups, 256-thread reductions — on a simulated 256-thread device.</summary>
    [Fact]
    public void Default_tiles_give_the_same_step()
    {
        using var device = GpuRuntime.CreateCpu(new GpuTiles(), warpSize: 32, warpsPerMultiprocessor: 8);
        var options = new TrainingOptions { Layers = new MlpConfig([Rows * Cols, 70, Classes]), Batch = 67, Init = InitKind.He };
        var train = Split(100, seed: 5);
        var layout = new ParameterLayout(options.Layers);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, options.Init, options.Seed);
        using var cpu = new WorkerGradient(options, train, 1, 0, fixedShards: false, threads: 1);
        using var ilgpu = new WorkerGradient(options, train, 1, 0, fixedShards: false, threads: 1, GradientBackends.ForRuntime(device));
        var expected = new float[theta.Length];
        var actual = new float[theta.Length];
        var e = cpu.Compute(0, theta, expected);
        var a = ilgpu.Compute(0, theta, actual);
        Assert.True(Math.Abs(e.LossSum - a.LossSum) <= Tolerance * Math.Max(1, e.LossSum), $"loss sum {a.LossSum} vs {e.LossSum}");
        TestData.Close(expected, actual, Tolerance, "gradient");
    }

    static DataSplit Split(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Rows * Cols];
        random.NextBytes(pixels);
        return new DataSplit(pixels, TestData.Labels(count, Classes, seed + 1), Rows, Cols);
    }
}
