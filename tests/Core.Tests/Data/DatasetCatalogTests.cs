using System.Runtime.Versioning;
using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

public class DatasetCatalogTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)] // gzip content under the raw names
    public void Loads_a_directory_of_the_four_files(bool gzip, bool gzName)
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path, train: 20, test: 7, gzip, gzName);
        var data = DatasetCatalog.Load(dir.Path);
        Assert.Equal((20, 7), (data.Train.Count, data.Test.Count));
        Assert.Equal((4, 3, 12), (data.Train.Rows, data.Train.Cols, data.Train.Features));
        Assert.Equal(TinyDataset.Pixels(20), data.Train.Pixels.ToArray());
        Assert.Equal(TinyDataset.Labels(7), data.Test.Labels.ToArray());
        Assert.Equal(Path.GetFullPath(dir.Path), data.Directory);
        Assert.Equal(4, data.Files.Count);
        Assert.All(data.Files, f => Assert.Equal(64, f.Sha256.Length));
        Assert.All(data.Files, f => Assert.Equal(gzip, f.Compressed));
    }

    [Fact]
    public void One_copy_per_process_even_under_concurrent_loads()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path);
        var loads = new Dataset[16];
        Parallel.For(0, loads.Length, i => loads[i] = DatasetCatalog.Load(dir.Path + (i % 2 == 0 ? "" : "/")));
        Assert.All(loads, d => Assert.Same(loads[0], d));
    }

    [Fact]
    public void A_failed_load_is_not_cached()
    {
        using var dir = new TempDir();
        Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(dir.Path));
        TinyDataset.Write(dir.Path);
        Assert.Equal(20, DatasetCatalog.Load(dir.Path).Train.Count);
    }

    [Fact]
    public void Image_and_label_counts_that_differ_name_both_files()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path);
        IdxWriter.WriteLabels(Path.Combine(dir.Path, "train-labels-idx1-ubyte"), TinyDataset.Labels(19));
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(dir.Path));
        Assert.Contains("train-images-idx3-ubyte holds 20 images", e.Message, StringComparison.Ordinal);
        Assert.Contains("train-labels-idx1-ubyte holds 19 labels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_outside_0_to_9_is_reported_with_file_index_and_value()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path);
        var labels = TinyDataset.Labels(7);
        labels[5] = 12;
        IdxWriter.WriteLabels(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte"), labels);
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(dir.Path));
        Assert.Contains("t10k-labels-idx1-ubyte: label 12 at index 5 is outside 0..9", e.Message, StringComparison.Ordinal);
        // With more classes allowed, the same files load.
        Assert.Equal(12, DatasetCatalog.Load(dir.Path, new DatasetOptions { Classes = 13 }).Test.MaxLabel);
    }

    [Fact]
    public void Test_images_of_another_shape_are_reported()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path);
        IdxWriter.WriteImages(Path.Combine(dir.Path, "t10k-images-idx3-ubyte"), new byte[7 * 6], 7, 3, 2);
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(dir.Path));
        Assert.Contains("test images are 3x2 but the training images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_file_inside_a_directory_is_named()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path);
        File.WriteAllBytes(Path.Combine(dir.Path, "train-images-idx3-ubyte"), []);
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(dir.Path));
        Assert.Contains("train-images-idx3-ubyte: the file is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_files_are_listed()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path);
        File.Delete(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte"));
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(dir.Path));
        Assert.Contains("missing t10k-labels-idx1-ubyte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_name_or_missing_directory_is_reported()
    {
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load("/nonexistent/thresher-data"));
        Assert.Contains("neither a known dataset (mnist, fashion-mnist) nor an existing directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_instead_of_a_directory_is_reported()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("f"), "x");
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(dir.File("f")));
        Assert.Contains("is a file, not a directory", e.Message, StringComparison.Ordinal);
    }

    [NonRootFact] // skipped, with the reason, for root and on Windows
    [UnsupportedOSPlatform("windows")]
    public void Unreadable_directory_is_reported()
    {
        using var dir = new TempDir();
        string locked = Directory.CreateDirectory(dir.File("locked")).FullName;
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load(locked));
            Assert.Contains("cannot read the directory", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Fashion_mnist_missing_says_what_to_install()
    {
        var options = new DatasetOptions { FashionMnistDirectory = "/nonexistent/fashion" };
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load("fashion-mnist", options));
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fashion_mnist_reads_its_directory()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path, gzip: true);
        var data = DatasetCatalog.Load("fashion-mnist", new DatasetOptions { FashionMnistDirectory = dir.Path });
        Assert.Equal("fashion-mnist", data.Name);
    }

    [Fact]
    public void Mnist_without_acquisition_says_how_to_fetch()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load("mnist", new DatasetOptions { CacheDirectory = dir.Path, Acquire = false }));
        Assert.Contains("thresher data fetch mnist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_placed_in_the_mnist_cache_that_are_not_mnist_fail_the_checksum()
    {
        using var dir = new TempDir();
        string mnist = Directory.CreateDirectory(Path.Combine(dir.Path, "mnist")).FullName;
        TinyDataset.Write(mnist);
        var e = Assert.Throws<ThresherInputException>(() => DatasetCatalog.Load("mnist", new DatasetOptions { CacheDirectory = dir.Path, Acquire = false }));
        Assert.Contains("does not match MNIST's", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_directory_resolution_prefers_the_option()
    {
        Assert.Equal("/tmp/x-cache", new DatasetOptions { CacheDirectory = "/tmp/x-cache" }.ResolveCacheDirectory());
        Assert.Equal(Path.Combine("/tmp/x-cache", "mnist"), new DatasetOptions { CacheDirectory = "/tmp/x-cache" }.MnistDirectory());
        Assert.True(Path.IsPathRooted(new DatasetOptions().ResolveCacheDirectory()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Options_validate_classes(int classes)
    {
        var e = Assert.Throws<ThresherInputException>(() => new DatasetOptions { Classes = classes }.Validate());
        Assert.Contains($"classes = {classes}", e.Message, StringComparison.Ordinal);
    }

    [FashionMnistFact]
    public void Debian_fashion_mnist_loads_from_gzip_with_6000_of_each_class()
    {
        var data = DatasetCatalog.Load("fashion-mnist");
        Assert.Equal((60000, 10000, 784), (data.Train.Count, data.Test.Count, data.Train.Features));
        Assert.All(data.Train.LabelCounts(), c => Assert.Equal(6000, c));
        Assert.All(data.Files, f => Assert.True(f.Compressed));
    }
}
