using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Kernels;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;
using Thresher.Gpu;

namespace Thresher.GpuCheck;

/// <summary>The device checks: parity, throughput, a short training run. Shapes are the tutorial model's.</summary>
static class Checks
{
    /// <summary>Each kernel on CUDA against Core's SIMD kernel: max |gpu − cpu| / max |cpu|.</summary>
    public static void KernelParity(Report report, GpuRuntime gpu, CheckScale scale)
    {
        report.Line("kernel parity (CUDA vs SIMD CPU; max |diff| / max |cpu|; target ≤ 1e-4):");
        var k = gpu.Kernels;
        var s = gpu.Accelerator.DefaultStream;
        foreach (var (m, kk, n) in scale.Simulated ? scale.GemmShapes[1..] : [(128, 784, 512), (1000, 512, 256), (8192, 256, 10)])
        {
            var x = Device.Random(m * kk, 1);
            var w = Device.Random(kk * n, 2);
            var dY = Device.Random(m * n, 3);
            using var dx = Device.Upload(gpu, x);
            using var dw = Device.Upload(gpu, w);
            using var ddY = Device.Upload(gpu, dY);
            using var y = Device.Upload(gpu, new float[m * n]);
            using var dW = Device.Upload(gpu, new float[kk * n]);
            using var dX = Device.Upload(gpu, new float[m * kk]);
            k.Gemm(s, y.View, dx.View, dw.View, k.Forward(m, kk, n));
            k.Gemm(s, dW.View, dx.View, ddY.View, k.WeightGradient(m, kk, n));
            k.Gemm(s, dX.View, ddY.View, dw.View, k.InputGradient(m, kk, n));
            var ey = new float[m * n];
            var edW = new float[kk * n];
            var edX = new float[m * kk];
            Gemm.Forward(ey, x, w, m, kk, n, threads: Environment.ProcessorCount);
            Gemm.WeightGradient(edW, x, dY, m, kk, n, threads: Environment.ProcessorCount);
            Gemm.InputGradient(edX, dY, w, m, kk, n, threads: Environment.ProcessorCount);
            report.Line($"  gemm m={m} k={kk} n={n}: forward {Device.Error(ey, Device.Download(gpu, y, m * n)):e2}, weight-gradient {Device.Error(edW, Device.Download(gpu, dW, kk * n)):e2}, input-gradient {Device.Error(edX, Device.Download(gpu, dX, m * kk)):e2}");

            var b = Device.Random(n, 4);
            using var db = Device.Upload(gpu, b);
            using var dB = Device.Upload(gpu, new float[n]);
            using var partial = Device.Upload(gpu, new float[k.PartialChunks(m) * n]);
            k.BiasReluForward(s, y.View, db.View, m, n);
            k.BiasGradient(s, dB.View, partial.View, ddY.View, y.View, m, n, relu: true);
            Activation.BiasReluForward(ey, b, m, n);
            var eB = new float[n];
            Activation.ReluBiasBackward(eB, dY, ey, m, n);
            report.Line($"  bias+relu m={m} n={n}: forward {Device.Error(ey, Device.Download(gpu, y, m * n)):e2}, backward dY {Device.Error(dY, Device.Download(gpu, ddY, m * n)):e2}, dB {Device.Error(eB, Device.Download(gpu, dB, n)):e2}");
        }
        foreach (bool ce in new[] { false, true })
        {
            int M = scale.Batches[^1];
            const int N = 10;
            var logits = Device.Random(M * N, 5, 20f);
            var labels = new byte[M];
            for (int i = 0; i < M; i++) labels[i] = (byte)(i * 7 % N);
            using var dl = Device.Upload(gpu, logits);
            using var dlab = Device.Upload(gpu, labels);
            using var dd = Device.Upload(gpu, new float[M * N]);
            using var rows = Device.Upload(gpu, new double[M]);
            using var total = Device.Upload(gpu, new double[1]);
            k.Loss(s, ce, dd.View, rows.View, total.View, dl.View, dlab.View, M, N, 1f / M);
            var ed = new float[M * N];
            double eLoss = ce ? Loss.SoftmaxCrossEntropy(ed, logits, labels, M, N, 1f / M) : Loss.MseOneHot(ed, logits, labels, M, N, 1f / M);
            double gLoss = Device.Download(gpu, total, 1)[0];
            report.Line($"  {(ce ? "softmax-cross-entropy" : "mse-one-hot")} m={M}: dLogits {Device.Error(ed, Device.Download(gpu, dd, M * N)):e2}, loss sum {Math.Abs(gLoss - eLoss) / Math.Abs(eLoss):e2}");
        }
    }

    /// <summary>
    /// Without a GPU: on ILGPU's CPU accelerator, a worker step (tiled GEMM, and the sgemm mapping on the host twin)
    /// and three device-resident steps against the CPU, which proves this build (single file, self-contained) can
    /// compile and launch every kernel of the paths the GPU run measures.
    /// </summary>
    public static void CpuAcceleratorSelfTest(Report report)
    {
        using var runtime = GpuRuntime.CreateCpu(new GpuTiles { GroupX = 2, GroupY = 2, TileK = 4, BiasChunkRows = 4, ReduceGroup = 8, ElementGroup = 16 });
        var options = Presets.Fast with { Layers = new MlpConfig([784, 16, 10]), Batch = 32, Steps = 3 };
        var train = Device.SyntheticSplit(64);
        Func<IGemmForms> twin = () => new BlasGemmForms(new HostSgemm(runtime.Accelerator.DefaultStream));
        using var cpu = new WorkerGradient(options, train, 1, 0, false, 1);
        using var tiled = new WorkerGradient(options, train, 1, 0, false, 1, GradientBackends.ForRuntime(runtime));
        using var blas = new WorkerGradient(options, train, 1, 0, false, 1, GradientBackends.ForRuntime(runtime, twin, "host twin"));
        var theta = new float[cpu.ParameterCount];
        Initializer.Initialize(theta, cpu.Layout, options.Init, options.Seed);
        var e = new float[theta.Length];
        var a = new float[theta.Length];
        var b = new float[theta.Length];
        cpu.Compute(0, theta, e);
        tiled.Compute(0, theta, a);
        blas.Compute(0, theta, b);
        var reference = Device.CpuSteps(options, train, 3);
        using var device = new DeviceTrainer(runtime, options, train, twin, null);
        for (int s = 0; s < 3; s++) device.TrainStep();
        report.Line($"ilgpu cpu-accelerator self-test ({runtime.Name}, 784-16-10, batch 32): worker gradient vs cpu: tiled {Device.Error(e, a):e2}, " +
            $"sgemm twin {Device.Error(e, b):e2}; device loop θ after 3 AdamW steps vs cpu {Device.Error(reference.Theta, device.DownloadTheta()):e2}, {device.StepSyncs} host syncs");
    }
}
