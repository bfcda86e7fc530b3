using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

public class DataSplitTests
{
    static DataSplit Tiny(int count = 20) => new(TinyDataset.Pixels(count), TinyDataset.Labels(count), TinyDataset.Rows, TinyDataset.Cols, "train");

    [Theory]
    [InlineData(255f)]
    [InlineData(50f)]
    public void Gather_scales_the_chosen_rows_and_copies_labels(float scale)
    {
        var split = Tiny();
        int[] indices = [3, 0, 19, 3];
        var x = new float[indices.Length * split.Features];
        var labels = new byte[indices.Length];
        split.Gather(indices, x, labels, scale);
        var pixels = split.Pixels.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            Assert.Equal(indices[i] % 10, labels[i]);
            for (int f = 0; f < split.Features; f++)
                Assert.Equal(pixels[indices[i] * split.Features + f] / scale, x[i * split.Features + f]);
        }
    }

    [Fact]
    public void Gather_checks_indices_scale_and_buffer_sizes()
    {
        var split = Tiny();
        var x = new float[2 * split.Features];
        var labels = new byte[2];
        Assert.Throws<ArgumentOutOfRangeException>(() => split.Gather([0, 20], x, labels, 255));
        Assert.Throws<ArgumentOutOfRangeException>(() => split.Gather([0, -1], x, labels, 255));
        Assert.Throws<ArgumentOutOfRangeException>(() => split.Gather([0, 1], x, labels, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => split.Gather([0, 1], x, labels, float.NaN));
        Assert.Throws<ArgumentException>(() => split.Gather([0, 1, 2], x, new byte[3], 255));
        Assert.Throws<ArgumentException>(() => split.Gather([0, 1], x, new byte[1], 255));
    }

    [Fact]
    public void Label_counts_and_max_label()
    {
        var split = Tiny(25);
        Assert.Equal(9, split.MaxLabel);
        Assert.Equal([3, 3, 3, 3, 3, 2, 2, 2, 2, 2], split.LabelCounts());
    }

    [Fact]
    public void ValidateFor_rejects_wrong_image_size_for_the_model()
    {
        var e = Assert.Throws<ThresherInputException>(() => Tiny().ValidateFor(784, 10));
        Assert.Contains("images are 4x3 = 12 features but the model's input layer takes 784", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateFor_rejects_labels_beyond_the_model_outputs()
    {
        var e = Assert.Throws<ThresherInputException>(() => Tiny().ValidateFor(12, 5));
        Assert.Contains("label 5 at index 5 is outside 0..4 (the model's 5 outputs)", e.Message, StringComparison.Ordinal);
        Tiny().ValidateFor(12, 10);
    }

    [Fact]
    public void OneHot_encodes_rows()
    {
        var y = new float[3 * 4];
        OneHot.Encode(y, [2, 0, 3], 4);
        Assert.Equal([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1], y);
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode(y, [4], 4));
    }
}
