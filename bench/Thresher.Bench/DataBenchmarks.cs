using BenchmarkDotNet.Attributes;
using Thresher.Core.Data;

namespace Thresher.Bench;

/// <summary>
/// Data path costs. LoadTrainRaw reads MNIST from raw IDX files, bypassing the process cache (target:
/// under 0.5 s for the 47 MB training images; the hashes are computed during the load). When MNIST is not
/// cached, a synthetic set of the same size is written to a temp folder and read instead.
/// Gather128 is the per-step batch conversion (128 x 784 pixels / 50), BatchIndices a step's index plan.
/// Run: dotnet run -c Release --project bench/Thresher.Bench -- --filter '*DataBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class DataBenchmarks
{
    private string _directory = "";
    private string? _synthetic;
    private DataSplit _train = null!;
    private BatchSchedule _schedule = null!;
    private readonly int[] _indices = new int[128];
    private readonly float[] _x = new float[128 * 784];
    private readonly byte[] _labels = new byte[128];
    private long _step;

    [GlobalSetup]
    public void Setup()
    {
        _directory = new DatasetOptions().MnistDirectory();
        if (!DatasetCatalog.HasAllFiles(_directory))
        {
            _synthetic = Directory.CreateTempSubdirectory("thresher-bench-data-").FullName;
            _directory = SyntheticDataset.Write(_synthetic, 60000, 10000, 28, 28);
        }
        _train = Dataset.ReadDirectory(_directory).Train;
        _schedule = new BatchSchedule(_train.Count, 128, 4, 1234, shuffle: true);
        _schedule.GlobalBatchIndices(0, _indices);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_synthetic is not null) Directory.Delete(_synthetic, recursive: true);
    }

    [Benchmark]
    public int LoadTrainRaw() => Dataset.ReadDirectory(_directory).Train.Count;

    [Benchmark]
    public int ReadTrainImages() => IdxReader.ReadImages(Path.Combine(_directory, "train-images-idx3-ubyte")).Count;

    [Benchmark]
    public void Gather128() => _train.Gather(_indices, _x, _labels, 50f);

    [Benchmark]
    public int BatchIndices() => _schedule.GlobalBatchIndices(_step++ % 10_000, _indices);
}
