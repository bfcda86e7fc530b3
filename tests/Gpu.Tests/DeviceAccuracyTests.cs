using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Gpu.Tests;

/// <summary>
/// <see cref="DeviceTrainer.Accuracy"/>, the test-set evaluation on the device that the parameter server's device path
/// and the time-to-accuracy check use: the same count as Core's evaluator on the host, over a split that is not a
/// multiple of the chunk (the batch), before and after training, and one host sync per evaluation.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class DeviceAccuracyTests(CpuAccelerator gpu)
{
    const int Rows = 6, Cols = 5, Classes = 7;

    [Fact]
    public void Device_accuracy_counts_what_the_host_evaluator_counts()
    {
        var options = new TrainingOptions
        {
            Layers = new MlpConfig([Rows * Cols, 11, 9, Classes]), Batch = 8, Steps = 12, Init = InitKind.He,
            Optimizer = OptimizerOptions.For(OptimizerKind.AdamW), LearningRate = 0.02f,
        };
        var train = Split(40, seed: 3);
        var test = Split(53, seed: 9); // 6 full chunks of 8 and one of 5
        using var device = new DeviceTrainer(gpu.Runtime, options, train, null, null);
        var host = new Mlp(options.Layers, 16, 1);
        var seen = new HashSet<double>();
        while (!device.Done)
        {
            long syncs = gpu.Runtime.HostSyncs;
            double onDevice = device.Accuracy(test);
            Assert.Equal(syncs + 1, gpu.Runtime.HostSyncs);
            Assert.Equal(Evaluation.Accuracy(host, device.DownloadTheta(), test, options.InputScale), onDevice);
            seen.Add(onDevice);
            device.TrainStep();
        }
        Assert.True(seen.Count > 1, "the accuracy never changed while training: the comparison proves little");
    }

    static DataSplit Split(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * Rows * Cols];
        random.NextBytes(pixels);
        return new DataSplit(pixels, TestData.Labels(count, Classes, seed + 1), Rows, Cols);
    }
}
