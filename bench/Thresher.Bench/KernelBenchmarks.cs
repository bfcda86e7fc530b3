using BenchmarkDotNet.Attributes;
using Thresher.Core.Kernels;

namespace Thresher.Bench;

/// <summary>
/// The SIMD kernels at the tutorial MLP's shapes (784-512-256-10), batch m = 128.
/// GFLOP/s = 2·m·k·n / time. Forward and WeightGradient run for all three layers; InputGradient only for
/// layers 2 and 3 (the input gradient of layer 1 is never needed).
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int M = 128;
    private const int In = 784, H1 = 512, H2 = 256, Out = 10;

    private float[] _x = [], _h1 = [], _h2 = [], _logits = [];
    private float[] _w1 = [], _w2 = [], _w3 = [], _b1 = [];
    private float[] _dH1 = [], _dH2 = [], _dLogits = [];
    private float[] _dW1 = [], _dW2 = [], _dW3 = [], _dB1 = [];
    private float[] _theta = [], _grad = [];
    private byte[] _labels = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        float[] R(int n)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float)(random.NextDouble() * 2 - 1);
            return a;
        }
        _x = R(M * In); _h1 = R(M * H1); _h2 = R(M * H2); _logits = R(M * Out);
        _w1 = R(In * H1); _w2 = R(H1 * H2); _w3 = R(H2 * Out); _b1 = R(H1);
        _dH1 = R(M * H1); _dH2 = R(M * H2); _dLogits = R(M * Out);
        _dW1 = new float[In * H1]; _dW2 = new float[H1 * H2]; _dW3 = new float[H2 * Out]; _dB1 = new float[H1];
        _theta = R(In * H1 + H1 * H2 + H2 * Out); _grad = R(_theta.Length);
        _labels = new byte[M];
        for (int i = 0; i < M; i++) _labels[i] = (byte)random.Next(Out);
    }

    [Benchmark] public void Forward_L1_128x784x512() => Gemm.Forward(_h1, _x, _w1, M, In, H1, threads: Threads);
    [Benchmark] public void Forward_L2_128x512x256() => Gemm.Forward(_h2, _h1, _w2, M, H1, H2, threads: Threads);
    [Benchmark] public void Forward_L3_128x256x10() => Gemm.Forward(_logits, _h2, _w3, M, H2, Out, threads: Threads);

    [Benchmark] public void WeightGradient_L1_128x784x512() => Gemm.WeightGradient(_dW1, _x, _dH1, M, In, H1, threads: Threads);
    [Benchmark] public void WeightGradient_L2_128x512x256() => Gemm.WeightGradient(_dW2, _h1, _dH2, M, H1, H2, threads: Threads);
    [Benchmark] public void WeightGradient_L3_128x256x10() => Gemm.WeightGradient(_dW3, _h2, _dLogits, M, H2, Out, threads: Threads);

    [Benchmark] public void InputGradient_L2_128x512x256() => Gemm.InputGradient(_dH1, _dH2, _w2, M, H1, H2, threads: Threads);
    [Benchmark] public void InputGradient_L3_128x256x10() => Gemm.InputGradient(_dH2, _dLogits, _w3, M, H2, Out, threads: Threads);

    [Benchmark] public void BiasReluForward_128x512() => Activation.BiasReluForward(_h1, _b1, M, H1);
    [Benchmark] public void ReluBiasBackward_128x512() => Activation.ReluBiasBackward(_dB1, _dH1, _h1, M, H1);

    [Benchmark] public double MseOneHot_128x10() => Loss.MseOneHot(_dLogits, _logits, _labels, M, Out, 1f / M);
    [Benchmark] public double SoftmaxCrossEntropy_128x10() => Loss.SoftmaxCrossEntropy(_dLogits, _logits, _labels, M, Out, 1f / M);

    [Benchmark] public void SgdUpdate_535k() => Sgd.Update(_theta, _grad, [], 1e-6f, 0f, 1f);
}
