using BenchmarkDotNet.Attributes;
using Thresher.Benchmarks;
using Thresher.Core.Training;

namespace Thresher.Bench;

/// <summary>
/// The core step `thresher bench` times (<see cref="StepBenchmarks.CoreStepTrainer"/>: gather + forward + backward +
/// norms + clip folded into SGD, on the TorchSharp peer's recipe), on real MNIST when cached, else on the bench's
/// synthetic MNIST-shaped set (<see cref="BenchData"/>). Samples/s = Batch / mean time.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    Trainer _trainer = null!;

    [Params(128, 512)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = BenchData.Load(cacheDirectory: null, synthetic: false, syntheticTrainCount: 60_000);
        _trainer = StepBenchmarks.CoreStepTrainer(data.Data, Threads, Batch);
        for (int i = 0; i < 5; i++) _trainer.TrainStep();
    }

    [Benchmark]
    public StepStatistics Step() => _trainer.TrainStep();
}
