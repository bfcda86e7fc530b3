using Thresher.Core.Kernels;
using Thresher.Core.Model;
using Thresher.Core.Training;
using Thresher.Gpu;

namespace Thresher.GpuCheck;

/// <summary>Parity of each GEMM engine with Core's SIMD kernels: per GEMM form, per worker step, per device-resident step.</summary>
static class BlasChecks
{
    /// <summary>fp32 engines must stay within this relative error of the CPU (issue 19's target); tf32 is reported.</summary>
    public const double Fp32Target = 1e-5;

    /// <summary>Forward, weight gradient (overwrite and accumulate) and input gradient per shape: max |gpu − cpu| / max |cpu|.</summary>
    public static int GemmForms(Report report, GpuRuntime gpu, IReadOnlyList<Engine> engines, CheckScale scale)
    {
        int failures = 0;
        report.Line($"gemm parity per form (max |diff| / max |cpu|; fp32 target ≤ {Fp32Target:g}, tf32 reported):");
        foreach (var engine in engines)
        {
            using var forms = engine.Create(gpu);
            foreach (var (m, k, n) in scale.GemmShapes)
            {
                var x = Device.Random(m * k, 1);
                var w = Device.Random(k * n, 2);
                var dY = Device.Random(m * n, 3);
                var dW0 = Device.Random(k * n, 4);
                var (y, dW, dWAcc, dX) = Device.RunForms(gpu, forms, x, w, dY, dW0, m, k, n);
                var ey = new float[m * n];
                var edW = new float[k * n];
                var edX = new float[m * k];
                Gemm.Forward(ey, x, w, m, k, n, threads: Environment.ProcessorCount);
                Gemm.WeightGradient(edW, x, dY, m, k, n, threads: Environment.ProcessorCount);
                Gemm.InputGradient(edX, dY, w, m, k, n, threads: Environment.ProcessorCount);
                var eAcc = new float[k * n];
                for (int i = 0; i < eAcc.Length; i++) eAcc[i] = dW0[i] + edW[i];
                double[] errors = [Device.Error(ey, y), Device.Error(edW, dW), Device.Error(eAcc, dWAcc), Device.Error(edX, dX)];
                bool ok = engine.Math == GpuMath.Tf32 || errors.All(e => e <= Fp32Target);
                if (!ok) failures++;
                report.Line($"  {engine.Name,-12} m={m} k={k} n={n}: forward {errors[0]:e2}, weight-gradient {errors[1]:e2}, accumulate {errors[2]:e2}, input-gradient {errors[3]:e2}{(ok ? "" : "  FAIL")}");
            }
        }
        return failures;
    }

    /// <summary>One worker step (the cluster's GPU backend) and one device-resident training step per engine, against the CPU.</summary>
    public static int Steps(Report report, GpuRuntime gpu, IReadOnlyList<Engine> engines, Core.Data.DataSplit train, CheckScale scale)
    {
        int failures = 0;
        foreach (var loss in new[] { LossKind.CrossEntropy, LossKind.Mse })
        {
            var options = new TrainingOptions { Layers = scale.Layers, Loss = loss, Batch = scale.ParityBatch, InputScale = loss == LossKind.Mse ? 50f : 255f, Steps = 1 };
            var reference = Device.CpuSteps(options, train, 1);
            using var cpu = new WorkerGradient(options, train, 1, 0, false, Environment.ProcessorCount);
            var theta = new float[cpu.ParameterCount];
            Initializer.Initialize(theta, cpu.Layout, options.Init, options.Seed);
            var e = new float[theta.Length];
            var re = cpu.Compute(0, theta, e);
            foreach (var engine in engines)
            {
                using var worker = new WorkerGradient(options, train, 1, 0, false, 1, GradientBackends.ForRuntime(gpu, engine.Make, engine.Name));
                var a = new float[theta.Length];
                var ra = worker.Compute(0, theta, a);
                double gradient = Device.Error(e, a), lossError = Math.Abs(re.LossSum - ra.LossSum) / Math.Abs(re.LossSum);
                using var device = new DeviceTrainer(gpu, options, train, engine.Make, null);
                var stats = device.TrainStep();
                double norm = Math.Abs(stats.GlobalNorm - reference.Stats[0].GlobalNorm) / reference.Stats[0].GlobalNorm;
                double thetaError = Device.Error(reference.Theta, device.DownloadTheta());
                bool ok = engine.Math == GpuMath.Tf32 || (gradient <= Fp32Target && norm <= Fp32Target && thetaError <= Fp32Target);
                if (!ok) failures++;
                report.Line($"step parity {engine.Name,-12} ({loss}, batch {options.Batch}): worker gradient {gradient:e2}, loss sum {lossError:e2}; device step global norm {norm:e2}, θ after the update {thetaError:e2}{(ok ? "" : "  FAIL")}");
            }
        }
        return failures;
    }
}
