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
    public static void KernelParity(Report report, GpuRuntime gpu)
    {
        report.Line("kernel parity (CUDA vs SIMD CPU; max |diff| / max |cpu|; target ≤ 1e-4):");
        var k = gpu.Kernels;
        var s = gpu.Accelerator.DefaultStream;
        foreach (var (m, kk, n) in new[] { (128, 784, 512), (1000, 512, 256), (8192, 256, 10) })
        {
            var x = Random(m * kk, 1);
            var w = Random(kk * n, 2);
            var dY = Random(m * n, 3);
            using var dx = Upload(gpu, x);
            using var dw = Upload(gpu, w);
            using var ddY = Upload(gpu, dY);
            using var y = Upload(gpu, new float[m * n]);
            using var dW = Upload(gpu, new float[kk * n]);
            using var dX = Upload(gpu, new float[m * kk]);
            k.Gemm(s, y.View, dx.View, dw.View, k.Forward(m, kk, n));
            k.Gemm(s, dW.View, dx.View, ddY.View, k.WeightGradient(m, kk, n));
            k.Gemm(s, dX.View, ddY.View, dw.View, k.InputGradient(m, kk, n));
            var ey = new float[m * n];
            var edW = new float[kk * n];
            var edX = new float[m * kk];
            Gemm.Forward(ey, x, w, m, kk, n, threads: Environment.ProcessorCount);
            Gemm.WeightGradient(edW, x, dY, m, kk, n, threads: Environment.ProcessorCount);
            Gemm.InputGradient(edX, dY, w, m, kk, n, threads: Environment.ProcessorCount);
            report.Line($"  gemm m={m} k={kk} n={n}: forward {Error(ey, Download(gpu, y, m * n)):e2}, weight-gradient {Error(edW, Download(gpu, dW, kk * n)):e2}, input-gradient {Error(edX, Download(gpu, dX, m * kk)):e2}");

            var b = Random(n, 4);
            using var db = Upload(gpu, b);
            using var dB = Upload(gpu, new float[n]);
            using var partial = Upload(gpu, new float[k.PartialChunks(m) * n]);
            k.BiasReluForward(s, y.View, db.View, m, n);
            k.BiasGradient(s, dB.View, partial.View, ddY.View, y.View, m, n, relu: true);
            Activation.BiasReluForward(ey, b, m, n);
            var eB = new float[n];
            Activation.ReluBiasBackward(eB, dY, ey, m, n);
            report.Line($"  bias+relu m={m} n={n}: forward {Error(ey, Download(gpu, y, m * n)):e2}, backward dY {Error(dY, Download(gpu, ddY, m * n)):e2}, dB {Error(eB, Download(gpu, dB, n)):e2}");
        }
        foreach (bool ce in new[] { false, true })
        {
            const int M = 8192, N = 10;
            var logits = Random(M * N, 5, 20f);
            var labels = new byte[M];
            for (int i = 0; i < M; i++) labels[i] = (byte)(i * 7 % N);
            using var dl = Upload(gpu, logits);
            using var dlab = Upload(gpu, labels);
            using var dd = Upload(gpu, new float[M * N]);
            using var rows = Upload(gpu, new double[M]);
            using var total = Upload(gpu, new double[1]);
            k.Loss(s, ce, dd.View, rows.View, total.View, dl.View, dlab.View, M, N, 1f / M);
            var ed = new float[M * N];
            double eLoss = ce ? Loss.SoftmaxCrossEntropy(ed, logits, labels, M, N, 1f / M) : Loss.MseOneHot(ed, logits, labels, M, N, 1f / M);
            double gLoss = Download(gpu, total, 1)[0];
            report.Line($"  {(ce ? "softmax-cross-entropy" : "mse-one-hot")} m={M}: dLogits {Error(ed, Download(gpu, dd, M * N)):e2}, loss sum {Math.Abs(gLoss - eLoss) / Math.Abs(eLoss):e2}");
        }
    }

    /// <summary>A whole worker step (gather → forward → loss → backward), CUDA vs CPU, both losses.</summary>
    public static void StepParity(Report report, GpuRuntime gpu, DataSplit train)
    {
        foreach (var loss in new[] { LossKind.CrossEntropy, LossKind.Mse })
        {
            var options = new TrainingOptions { Loss = loss, Batch = 1024, InputScale = loss == LossKind.Mse ? 50f : 255f };
            var layout = new ParameterLayout(options.Layers);
            var theta = new float[layout.TotalLength];
            Initializer.Initialize(theta, layout, options.Init, options.Seed);
            using var cpu = new WorkerGradient(options, train, 1, 0, false, Environment.ProcessorCount);
            using var cuda = new WorkerGradient(options, train, 1, 0, false, 1, GradientBackends.ForRuntime(gpu));
            var e = new float[theta.Length];
            var a = new float[theta.Length];
            var re = cpu.Compute(0, theta, e);
            var ra = cuda.Compute(0, theta, a);
            report.Line($"step parity ({loss}, batch 1024, tutorial model): gradient {Error(e, a):e2}, loss sum {Math.Abs(re.LossSum - ra.LossSum) / Math.Abs(re.LossSum):e2}, local norm {Math.Abs(re.LocalNorm - ra.LocalNorm) / re.LocalNorm:e2}");
        }
    }

    /// <summary>Worker steps per second × batch, warm, for CPU (2 threads, all cores) and CUDA side by side.</summary>
    public static void Throughput(Report report, GpuRuntime gpu, DataSplit train, int[] batches)
    {
        report.Line($"step throughput (samples/s; worker step = gather + forward + backward + gradient to host; tutorial model 784-512-256-10):");
        report.Line($"  {"batch",6} {"cpu 2 threads",14} {$"cpu {Environment.ProcessorCount} threads",14} {"cuda",14} {"cuda/cpu2",10} {"cuda/cpuN",10}");
        foreach (int batch in batches)
        {
            var options = new TrainingOptions { Batch = batch };
            double cpu2 = Measure(options, train, GradientBackendFactory.Cpu, 2);
            double cpuN = Measure(options, train, GradientBackendFactory.Cpu, Environment.ProcessorCount);
            double cuda = Measure(options, train, GradientBackends.ForRuntime(gpu), 1);
            report.Line($"  {batch,6} {cpu2,14:n0} {cpuN,14:n0} {cuda,14:n0} {cuda / cpu2,9:f1}x {cuda / cpuN,9:f1}x");
        }
    }

    /// <summary>The default recipe (CE, x/255, lr 0.1, batch 128, clip 15) for <paramref name="steps"/> steps on CUDA and on the CPU.</summary>
    public static void Training(Report report, GpuRuntime gpu, Dataset data, int steps)
    {
        var options = Presets.Default with { Steps = steps };
        foreach (var (name, factory, threads) in new[] { ("cuda", GradientBackends.ForRuntime(gpu), 1), ("cpu", GradientBackendFactory.Cpu, Environment.ProcessorCount) })
        {
            using var worker = new WorkerGradient(options, data.Train, 1, 0, false, threads, factory);
            var layout = worker.Layout;
            var theta = new float[layout.TotalLength];
            Initializer.Initialize(theta, layout, options.Init, options.Seed);
            var update = options.CreateUpdateRule(layout, steps);
            var grad = new float[theta.Length];
            var clock = Stopwatch.StartNew();
            StepStatistics? last = null;
            double maxNorm = 0;
            for (long step = 0; step < steps; step++)
            {
                var part = worker.Compute(step, theta, grad);
                last = update.Apply(theta, grad, step, part.LossSum / part.Samples);
                maxNorm = Math.Max(maxNorm, last.GlobalNorm);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            double accuracy = Evaluation.Accuracy(new Mlp(options.Layers, 1000, Environment.ProcessorCount), theta, data.Test, options.InputScale);
            report.Line($"training ({name}): {steps} steps of the default recipe in {seconds:f2} s, last loss {last!.Loss:f4}, largest global norm {maxNorm:f2}, test accuracy {accuracy:P2}");
        }
    }

    /// <summary>
    /// Without a GPU: one tiny step on ILGPU's CPU accelerator against the CPU backend, which proves this build
    /// (single file, self-contained) can compile and launch ILGPU kernels.
    /// </summary>
    public static void CpuAcceleratorSelfTest(Report report)
    {
        using var runtime = GpuRuntime.CreateCpu(new GpuTiles { GroupX = 2, GroupY = 2, TileK = 4, BiasChunkRows = 4, ReduceGroup = 8, ElementGroup = 16 });
        var options = new TrainingOptions { Layers = new MlpConfig([784, 16, 10]), Batch = 32 };
        var train = SyntheticSplit(64);
        using var cpu = new WorkerGradient(options, train, 1, 0, false, 1);
        using var ilgpu = new WorkerGradient(options, train, 1, 0, false, 1, GradientBackends.ForRuntime(runtime));
        var theta = new float[cpu.ParameterCount];
        Initializer.Initialize(theta, cpu.Layout, options.Init, options.Seed);
        var e = new float[theta.Length];
        var a = new float[theta.Length];
        cpu.Compute(0, theta, e);
        ilgpu.Compute(0, theta, a);
        report.Line($"ilgpu cpu-accelerator self-test ({runtime.Name}, 784-16-10, batch 32): gradient vs cpu {Error(e, a):e2}");
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

    static double Measure(TrainingOptions options, DataSplit train, GradientBackendFactory factory, int threads)
    {
        using var worker = new WorkerGradient(options, train, 1, 0, false, threads, factory);
        var theta = new float[worker.ParameterCount];
        Initializer.Initialize(theta, worker.Layout, options.Init, options.Seed);
        var grad = new float[theta.Length];
        for (int i = 0; i < 3; i++) worker.Compute(i, theta, grad); // warm-up: JIT, kernel load, data upload
        var clock = Stopwatch.StartNew();
        long samples = 0;
        for (int step = 3; clock.Elapsed.TotalSeconds < 1.5 || step < 8; step++) samples += worker.Compute(step, theta, grad).Samples;
        return samples / clock.Elapsed.TotalSeconds;
    }

    static double Error(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
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

    static float[] Random(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    static MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(GpuRuntime gpu, T[] host) where T : unmanaged
    {
        var buffer = gpu.Accelerator.Allocate1D<T>(Math.Max(1, host.Length));
        ((ArrayView<T>)buffer.View).SubView(0, host.Length).CopyFromCPU(host.AsSpan());
        return buffer;
    }

    static T[] Download<T>(GpuRuntime gpu, MemoryBuffer1D<T, Stride1D.Dense> buffer, int count) where T : unmanaged
    {
        gpu.Accelerator.DefaultStream.Synchronize();
        var host = new T[count];
        ((ArrayView<T>)buffer.View).SubView(0, count).CopyToCPU(host.AsSpan());
        return host;
    }
}
