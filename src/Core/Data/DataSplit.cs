using System.Numerics.Tensors;

namespace Thresher.Core.Data;

/// <summary>
/// One split (train or test) of an image-classification dataset, held as the bytes read from disk:
/// Pixels (Count, Rows, Cols) row-major uint8, Labels (Count) uint8. Immutable and safe to share between
/// threads; pixels are converted to floats per batch by <see cref="Gather"/>.
/// </summary>
public sealed class DataSplit
{
    /// <summary>A split over in-memory arrays (tests, synthetic data). The arrays must not change afterwards.</summary>
    public DataSplit(ReadOnlyMemory<byte> pixels, ReadOnlyMemory<byte> labels, int rows, int cols, string name = "memory")
        : this(name, pixels, labels, rows, cols, null, null)
    {
    }

    internal DataSplit(string name, ReadOnlyMemory<byte> pixels, ReadOnlyMemory<byte> labels, int rows, int cols,
        DatasetFile? imageFile, DatasetFile? labelFile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (pixels.Length != (long)labels.Length * rows * cols)
            throw new ArgumentException($"{pixels.Length} pixels do not make {labels.Length} images of {rows}x{cols}", nameof(pixels));
        Name = name;
        Pixels = pixels;
        Labels = labels;
        Count = labels.Length;
        Rows = rows;
        Cols = cols;
        ImageFile = imageFile;
        LabelFile = labelFile;
        MaxLabel = Count == 0 ? -1 : TensorPrimitives.Max(labels.Span);
    }

    /// <summary>"train", "test", or the name given for an in-memory split.</summary>
    public string Name { get; }
    /// <summary>Number of samples.</summary>
    public int Count { get; }
    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Rows * Cols: the model's input width.</summary>
    public int Features => Rows * Cols;
    /// <summary>(Count, Rows, Cols) row-major uint8.</summary>
    public ReadOnlyMemory<byte> Pixels { get; }
    /// <summary>(Count) uint8.</summary>
    public ReadOnlyMemory<byte> Labels { get; }
    /// <summary>The largest label, or -1 for an empty split.</summary>
    public int MaxLabel { get; }
    /// <summary>Where the images came from (null for in-memory splits).</summary>
    public DatasetFile? ImageFile { get; }
    /// <summary>Where the labels came from (null for in-memory splits).</summary>
    public DatasetFile? LabelFile { get; }

    string ImageSource => ImageFile?.Path ?? $"{Name} images";
    string LabelSource => LabelFile?.Path ?? $"{Name} labels";

    /// <summary>
    /// x[i, f] = Pixels[indices[i], f] / inputScale and labels[i] = Labels[indices[i]].
    /// x: (indices.Length, Features) row-major; labels: (indices.Length). Indices are checked once here.
    /// </summary>
    public void Gather(ReadOnlySpan<int> indices, Span<float> x, Span<byte> labels, float inputScale)
    {
        int n = indices.Length, f = Features;
        if (!(inputScale > 0) || !float.IsFinite(inputScale))
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale, "input scale must be a positive finite number (255 maps pixels to [0, 1]; 50 reproduces the tutorial)");
        if (x.Length < (long)n * f)
            throw new ArgumentException($"x holds {x.Length} floats, the batch needs {n} x {f} = {(long)n * f}", nameof(x));
        if (labels.Length < n)
            throw new ArgumentException($"labels holds {labels.Length} bytes, the batch needs {n}", nameof(labels));
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"sample index outside 0..{Count - 1} of the {Name} split");
        }
        var pixels = Pixels.Span;
        var source = Labels.Span;
        for (int i = 0; i < n; i++)
        {
            int s = indices[i];
            PixelScaling.Scale(x.Slice(i * f, f), pixels.Slice(s * f, f), inputScale);
            labels[i] = source[s];
        }
    }

    /// <summary>How many samples carry each label 0..MaxLabel.</summary>
    public int[] LabelCounts()
    {
        var counts = new int[MaxLabel + 1];
        foreach (byte label in Labels.Span) counts[label]++;
        return counts;
    }

    /// <summary>
    /// Checks that this split fits a model with <paramref name="inputFeatures"/> inputs and
    /// <paramref name="classes"/> outputs; throws a ThresherInputException naming the file otherwise.
    /// </summary>
    public void ValidateFor(int inputFeatures, int classes)
    {
        if (inputFeatures != Features)
            throw new ThresherInputException($"{ImageSource}: images are {Rows}x{Cols} = {Features} features but the model's input layer takes {inputFeatures} — set the first layer size to {Features} or use a dataset with {inputFeatures}-pixel images");
        ValidateLabels(classes, $"the model's {classes} outputs");
    }

    /// <summary>Throws a ThresherInputException when a label lies outside 0..classes-1.</summary>
    public void ValidateLabels(int classes, string why)
    {
        if (MaxLabel < classes) return;
        var span = Labels.Span;
        int at = 0;
        while (span[at] < classes) at++;
        throw new ThresherInputException($"{LabelSource}: label {span[at]} at index {at} is outside 0..{classes - 1} ({why}) — the file is damaged or belongs to a dataset with more classes; check the file, or size the model's output layer to at least {MaxLabel + 1}");
    }
}
