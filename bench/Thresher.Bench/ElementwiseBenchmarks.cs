using BenchmarkDotNet.Attributes;
using Thresher.Core.Kernels;

namespace Thresher.Bench;

/// <summary>
/// The element-wise kernels of a step at the tutorial MLP's shapes (784-512-256-10), batch m = 128: bias + ReLU
/// forward and backward, the losses, the SGD update. The GEMMs are in <see cref="BenchCaseBenchmarks"/> (the
/// cases `thresher bench` times).
/// </summary>
[MemoryDiagnoser]
public class ElementwiseBenchmarks
{
    private const int M = 128;
    private const int H1 = 512, Out = 10;
    private const int Parameters = 784 * 512 + 512 * 256 + 256 * 10;

    private float[] _h1 = [], _b1 = [], _logits = [];   // (M, H1), (H1), (M, Out)
    private float[] _dH1 = [], _dB1 = [], _dLogits = []; // (M, H1), (H1), (M, Out)
    private float[] _theta = [], _grad = [];             // (Parameters)
    private byte[] _labels = [];                         // (M)

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
        _h1 = R(M * H1); _b1 = R(H1); _logits = R(M * Out);
        _dH1 = R(M * H1); _dB1 = new float[H1]; _dLogits = R(M * Out);
        _theta = R(Parameters); _grad = R(Parameters);
        _labels = new byte[M];
        for (int i = 0; i < M; i++) _labels[i] = (byte)random.Next(Out);
    }

    [Benchmark] public void BiasReluForward_128x512() => Activation.BiasReluForward(_h1, _b1, M, H1);
    [Benchmark] public void ReluBiasBackward_128x512() => Activation.ReluBiasBackward(_dB1, _dH1, _h1, M, H1);

    [Benchmark] public double MseOneHot_128x10() => Loss.MseOneHot(_dLogits, _logits, _labels, M, Out, 1f / M);
    [Benchmark] public double SoftmaxCrossEntropy_128x10() => Loss.SoftmaxCrossEntropy(_dLogits, _logits, _labels, M, Out, 1f / M);

    [Benchmark] public void SgdUpdate_535k() => Sgd.Update(_theta, _grad, [], 1e-6f, 0f, 1f);
}
