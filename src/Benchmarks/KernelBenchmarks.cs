using Thresher.Core.Model;
using Thresher.Core.Ops;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Benchmarks;

/// <summary>
/// The kernels of a step on their own, as <see cref="KernelCase"/>s: the three GEMMs of every layer of the
/// tutorial MLP (GFLOP/s, 2·m·k·n per call), clip_by_global_norm on its six gradient tensors and the parameter
/// server's pass after two workers reply (µs per call).
/// </summary>
public static class KernelBenchmarks
{
    /// <summary>forward, weight-gradient and input-gradient of each layer at <paramref name="batch"/> rows, timed.</summary>
    public static IEnumerable<BenchResult> Gemm(int threads, int batch, BenchPlan plan, MachinePeak peak)
        => GemmCases(threads, batch).Select(c => c.Measure(plan, peak));

    /// <summary>The clip cases, timed.</summary>
    public static IEnumerable<BenchResult> Clip(BenchPlan plan, MachinePeak peak) => ClipCases().Select(c => c.Measure(plan, peak));

    /// <summary>Every kernel case of the default `thresher bench` (GEMMs at 1 and 2 threads, batch 128 and 512; clip).</summary>
    public static IEnumerable<KernelCase> AllCases()
    {
        var plan = new BenchPlan();
        foreach (int threads in plan.Threads)
            foreach (int batch in plan.Batches)
                foreach (var c in GemmCases(threads, batch)) yield return c;
        foreach (var c in ClipCases()) yield return c;
    }

    /// <summary>
    /// forward, weight-gradient and input-gradient of each layer at <paramref name="batch"/> rows: x (m×k), W (k×n),
    /// y and dY (m×n), dW (k×n), dX (m×k). Layer 1's input gradient is measured but never needed by a step.
    /// </summary>
    public static IEnumerable<KernelCase> GemmCases(int threads, int batch)
    {
        var layers = MlpConfig.Tutorial.Layers;
        for (int l = 0; l < layers.Count - 1; l++)
        {
            int m = batch, k = layers[l], n = layers[l + 1];
            var x = Random(m * k, 1); var w = Random(k * n, 2); var y = Random(m * n, 3);
            var dW = new float[k * n]; var dX = new float[m * k];
            double flops = 2.0 * m * k * n;
            string shape = $"{m}x{k}x{n}";
            string unused = l == 0 ? " (unused)" : "";
            KernelCase Case(string name, Action run) => new(BenchResult.Gemm, $"{name} threads={threads}", threads, batch, flops, run);
            yield return Case("forward " + shape, () => Core.Kernels.Gemm.Forward(y, x, w, m, k, n, false, threads));
            yield return Case("weight-gradient " + shape, () => Core.Kernels.Gemm.WeightGradient(dW, x, y, m, k, n, false, threads));
            yield return Case("input-gradient " + shape + unused, () => Core.Kernels.Gemm.InputGradient(dX, y, w, m, k, n, false, threads));
        }
    }

    /// <summary>
    /// clip_by_global_norm over the six tensors (535,818 floats): per-tensor norms in double, then the scale
    /// in place (what torch's clip_grad_norm_ does); and the folded form a Thresher step pays (the norms only;
    /// the scale rides in the SGD update).
    /// </summary>
    public static IEnumerable<KernelCase> ClipCases()
    {
        var layout = new ParameterLayout(MlpConfig.Tutorial);
        var g = Random(layout.TotalLength, 4);
        int[] slices = [.. layout.Slices.Select(s => s.Length)];
        var norms = new double[slices.Length];
        string floats = $"{layout.Slices.Count} tensors, {layout.TotalLength:N0} floats";
        // Clip at just below the current norm, so every call rescales (values shrink by 2⁻²⁰ per call, never toward denormals).
        yield return new(BenchResult.Clip, $"clip_by_global_norm in place ({floats})", 1, 0, 0, () =>
        {
            double n = ClipOps.GlobalNorm(g, slices, norms);
            ClipOps.ClipByGlobalNormInPlace(g, (float)(n * (1 - 1.0 / (1 << 20))), useNorm: n);
        });
        var rule = new UpdateRule(layout, Optimizer.Sgd(0.01f, 0, layout.TotalLength), 15f, NonFinitePolicy.Skip);
        yield return new(BenchResult.Clip, $"clip folded into SGD: norms only ({floats})", 1, 0, 0, () => rule.Measure(g));
        foreach (int threads in (int[])[1, 2]) yield return ServerPass(layout, threads, floats);
    }

    /// <summary>
    /// The parameter server's pass after two workers reply (<see cref="PartsUpdate"/>): g₀ + g₁ fused with the norms,
    /// the clip decision, then SGD with momentum and the scale folded in, on <paramref name="threads"/> threads.
    /// </summary>
    static KernelCase ServerPass(ParameterLayout layout, int threads, string floats)
    {
        byte[] Bytes(float[] x) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray();
        byte[][] parts = [Bytes(Random(layout.TotalLength, 5)), Bytes(Random(layout.TotalLength, 6))];
        var theta = Bytes(Random(layout.TotalLength, 7));
        var update = new PartsUpdate(new UpdateRule(layout, Optimizer.Sgd(0.01f, 0.9f, layout.TotalLength), 15f, NonFinitePolicy.Skip), threads);
        long step = 0;
        return new(BenchResult.Clip, $"parameter server pass, 2 parts: sum + norms + clip + SGD momentum ({floats}) threads={threads}", threads, 0, 0,
            () => update.Apply(theta, parts, step++, 1.0, update.Measure(parts)));
    }

    static float[] Random(int length, ulong seed)
    {
        var rng = new Core.Data.SplitMix64(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)((rng.Next() >> 11) * (1.0 / (1UL << 53)) - 0.5) * 0.02f;
        return a;
    }
}
