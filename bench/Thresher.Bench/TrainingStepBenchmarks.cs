using BenchmarkDotNet.Attributes;
using Thresher.Core.Data;
using Thresher.Core.Training;

namespace Thresher.Bench;

/// <summary>
/// One full single-process training step of the tutorial model (gather + forward + backward + global norm +
/// clip + SGD), on real MNIST when cached, else on a synthetic 28×28 set. Samples/s = Batch / mean time.
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
        var options = new TrainingOptions { Batch = Batch, Steps = 1_000_000 };
        _trainer = new Trainer(options, LoadData(), Threads);
        for (int i = 0; i < 5; i++) _trainer.TrainStep();
    }

    [Benchmark]
    public StepStatistics Step() => _trainer.TrainStep();

    static Dataset LoadData()
    {
        string mnist = new DatasetOptions().MnistDirectory();
        if (DatasetCatalog.HasAllFiles(mnist)) return DatasetCatalog.Load(mnist);
        string dir = Path.Combine(Path.GetTempPath(), "thresher-bench-synthetic");
        if (!DatasetCatalog.HasAllFiles(dir)) SyntheticDataset.Write(dir, trainCount: 10_000, testCount: 1_000, rows: 28, cols: 28);
        return DatasetCatalog.Load(dir);
    }
}
