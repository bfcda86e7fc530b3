namespace Thresher.Core.Data;

/// <summary>
/// Writes a small, learnable MNIST-format dataset: each class has a seeded random prototype image and every
/// sample is its class prototype plus seeded noise. For tests and smoke runs that must not depend on MNIST.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>Writes the four standard IDX files (raw) into <paramref name="directory"/> and returns it.</summary>
    public static string Write(string directory, int trainCount, int testCount, int rows, int cols, int classes = 10, ulong seed = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(testCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, 256);
        Directory.CreateDirectory(directory);
        var rng = new SplitMix64(seed);
        int features = rows * cols;
        var prototypes = new byte[classes * features];
        for (int i = 0; i < prototypes.Length; i++) prototypes[i] = (byte)(rng.Next() % 4 == 0 ? 200 : 20);
        WriteSplit(directory, "train", trainCount, rows, cols, classes, prototypes, ref rng);
        WriteSplit(directory, "t10k", testCount, rows, cols, classes, prototypes, ref rng);
        return directory;
    }

    static void WriteSplit(string directory, string prefix, int count, int rows, int cols, int classes, byte[] prototypes, ref SplitMix64 rng)
    {
        int features = rows * cols;
        var pixels = new byte[count * features];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = (int)(rng.Next() % (ulong)classes);
            labels[i] = (byte)label;
            for (int p = 0; p < features; p++)
            {
                int noise = (int)(rng.Next() % 121) - 60;
                pixels[i * features + p] = (byte)Math.Clamp(prototypes[label * features + p] + noise, 0, 255);
            }
        }
        IdxWriter.WriteImages(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), pixels, count, rows, cols);
        IdxWriter.WriteLabels(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), labels);
    }
}
