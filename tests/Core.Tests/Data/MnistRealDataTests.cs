using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

public class MnistRealDataTests
{
    static Dataset Mnist() => DatasetCatalog.Load("mnist", new DatasetOptions { Acquire = false });

    [MnistFact]
    public void Mnist_has_60000_train_and_10000_test_images_of_28x28()
    {
        var data = Mnist();
        Assert.Equal("mnist", data.Name);
        Assert.Equal((60000, 10000), (data.Train.Count, data.Test.Count));
        Assert.Equal((28, 28, 784), (data.Train.Rows, data.Train.Cols, data.Train.Features));
        Assert.Equal(47_040_000, data.Train.Pixels.Length);
        data.Train.ValidateFor(784, 10);
    }

    [MnistFact]
    public void Mnist_train_label_counts_match_the_published_ones()
    {
        Assert.Equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949], Mnist().Train.LabelCounts());
        Assert.Equal(10000, Mnist().Test.LabelCounts().Sum());
    }

    [MnistFact]
    public void Mnist_files_carry_the_published_checksums()
    {
        var data = Mnist();
        Assert.Equal(MnistRelease.Sha256.Values.Order(), data.Files.Select(f => f.ContentSha256).Order());
    }

    [MnistFact]
    public void Mnist_first_samples_are_the_well_known_5_and_7()
    {
        var data = Mnist();
        var x = new float[784];
        var label = new byte[1];
        data.Train.Gather([0], x, label, 255f);
        Assert.Equal(5, label[0]);
        Assert.InRange(x.Max(), 0.99f, 1f);
        data.Test.Gather([0], x, label, 50f);
        Assert.Equal(7, label[0]);
        Assert.Equal(255f / 50f, x.Max());
    }

    [MnistFact]
    public void Mnist_schedules_cover_an_epoch()
    {
        var data = Mnist();
        var schedule = new BatchSchedule(data.Train.Count, 128, 4, 1234, true);
        Assert.Equal(468, schedule.StepsPerEpoch);
        Assert.Equal(96, schedule.DroppedPerEpoch);
        var fixedShards = new BatchSchedule(data.Train.Count, 128, 4, 1234, true, ShardMode.Fixed, ShardLayout.LabelSkewed, data.Train.Labels);
        Assert.Equal(60000, Enumerable.Range(0, 4).SelectMany(fixedShards.ShardIndices).Distinct().Count());
    }
}
