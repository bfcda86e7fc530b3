using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.GpuCheck;

/// <summary>
/// How big the check's problems are. On a GPU: the tutorial model, the batches (128/1024/8192), full MNIST.
/// On the simulator (THRESHER_CUDA_SIMULATOR=ilgpu-cpu: ILGPU's CPU accelerator posing as the CUDA device) every
/// section runs the same code on small problems — a 784-32-16-10 model, batches 16 and 64, a 600/200-image slice
/// of MNIST, 6 training steps, short timings — so the whole script can be proven end to end on a machine without a GPU. Its figures
/// measure the simulator, not a GPU: meaningless as performance.
/// </summary>
sealed record CheckScale(bool Simulated, MlpConfig Layers, (int M, int K, int N)[] GemmShapes, int ParityBatch, int[] Batches, double Seconds)
{
    public static CheckScale Gpu { get; } = new(false, MlpConfig.Tutorial,
        [(1, 1, 1), (7, 13, 5), (128, 784, 512), (1000, 512, 256), (8192, 256, 10), (8192, 784, 512)], 1024, [128, 1024, 8192], 1.5);

    public static CheckScale Simulator { get; } = new(true, new MlpConfig([784, 32, 16, 10]),
        [(1, 1, 1), (7, 13, 5), (33, 70, 17)], 64, [16, 64], 0.2);

    /// <summary>The simulator's recipes train this many steps at most (time to 98 % is then "not reached", as expected).</summary>
    public const int SimulatedSteps = 6;

    /// <summary>The simulator's slices of MNIST: training and test images.</summary>
    public const int SimulatedTrain = 600, SimulatedTest = 200;

    /// <summary>A recipe at this scale: the model, and on the simulator at most <see cref="SimulatedSteps"/> steps.</summary>
    public TrainingOptions Recipe(TrainingOptions options) => Simulated
        ? options with { Layers = Layers, Batch = Math.Min(options.Batch, 32), Steps = SimulatedSteps }
        : options with { Layers = Layers };

    /// <summary>A split's first <paramref name="count"/> rows (the simulator's slice), or the split itself on a GPU.</summary>
    public DataSplit Slice(DataSplit split, int count)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (!Simulated || split.Count <= count) return split;
        int features = split.Rows * split.Cols;
        return new DataSplit(split.Pixels[..(count * features)], split.Labels[..count], split.Rows, split.Cols, split.Name + "-slice");
    }
}
