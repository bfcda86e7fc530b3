using Thresher.Core.Data;

namespace Thresher.Core.Tests.Data;

/// <summary>A temporary directory, deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "thresher-data-tests-" + Guid.NewGuid().ToString("N"));
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Small IDX datasets the tests write themselves: image i has pixel f = (7i + f) mod 256, label i mod 10.</summary>
static class TinyDataset
{
    public const int Rows = 4, Cols = 3;

    public static byte[] Pixels(int count, int rows = Rows, int cols = Cols)
    {
        var pixels = new byte[count * rows * cols];
        for (int i = 0; i < count; i++)
            for (int f = 0; f < rows * cols; f++)
                pixels[i * rows * cols + f] = (byte)((7 * i + f) % 256);
        return pixels;
    }

    public static byte[] Labels(int count) => Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();

    /// <summary>Writes the four standard files; gzip compresses them, gzName adds ".gz" to their names.</summary>
    public static void Write(string directory, int train = 20, int test = 7, bool gzip = false, bool? gzName = null)
    {
        string suffix = gzName ?? gzip ? ".gz" : "";
        IdxWriter.WriteImages(Path.Combine(directory, "train-images-idx3-ubyte" + suffix), Pixels(train), train, Rows, Cols, gzip);
        IdxWriter.WriteLabels(Path.Combine(directory, "train-labels-idx1-ubyte" + suffix), Labels(train), gzip);
        IdxWriter.WriteImages(Path.Combine(directory, "t10k-images-idx3-ubyte" + suffix), Pixels(test), test, Rows, Cols, gzip);
        IdxWriter.WriteLabels(Path.Combine(directory, "t10k-labels-idx1-ubyte" + suffix), Labels(test), gzip);
    }
}
