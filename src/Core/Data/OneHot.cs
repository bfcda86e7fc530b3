namespace Thresher.Core.Data;

/// <summary>One-hot targets for the MSE loss (the tutorial's recipe).</summary>
public static class OneHot
{
    /// <summary>
    /// y[i, c] = c == labels[i] ? on : 0. y: (n, classes) row-major, labels: (n). Labels must lie in
    /// 0..classes-1 (DataSplit.ValidateFor checks a whole split once; a stray one here throws).
    /// </summary>
    public static void Encode(Span<float> y, ReadOnlySpan<byte> labels, int classes, float on = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (y.Length < (long)labels.Length * classes)
            throw new ArgumentException($"output holds {y.Length} floats, needs {labels.Length} x {classes} — size it to n * classes", nameof(y));
        y[..(labels.Length * classes)].Clear();
        for (int i = 0; i < labels.Length; i++)
        {
            int c = labels[i];
            if (c >= classes)
                throw new ArgumentOutOfRangeException(nameof(labels), c, $"label {c} at position {i} is outside 0..{classes - 1}");
            y[i * classes + c] = on;
        }
    }
}
