namespace Thresher.Core.Model;

/// <summary>
/// The shape of a multi-layer perceptron: <c>Layers[0]</c> inputs, ReLU hidden layers, a linear output of
/// <c>Layers[^1]</c> units. Default: the tutorial's 784-512-256-10.
/// </summary>
public sealed record MlpConfig
{
    /// <summary>Largest accepted width of one layer (units). Keeps a submission from exhausting memory.</summary>
    public const int MaxLayerWidth = 16_384;

    /// <summary>Largest accepted parameter count (floats; 64M floats = 256 MB per copy).</summary>
    public const long MaxParameters = 64L * 1024 * 1024;

    public static MlpConfig Tutorial { get; } = new([784, 512, 256, 10]);

    public MlpConfig(IReadOnlyList<int> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        Layers = [.. layers];
    }

    /// <summary>Widths from input to output; at least two entries, each in 1..<see cref="MaxLayerWidth"/>.</summary>
    public IReadOnlyList<int> Layers { get; }

    /// <summary>Number of weight layers (Layers.Count − 1).</summary>
    public int Depth => Layers.Count - 1;

    public int Inputs => Layers[0];

    public int Outputs => Layers[^1];

    /// <summary>Total parameter count: Σ_l in_l·out_l + out_l.</summary>
    public long ParameterCount
    {
        get
        {
            long total = 0;
            for (int l = 0; l < Depth; l++) total += (long)Layers[l] * Layers[l + 1] + Layers[l + 1];
            return total;
        }
    }

    /// <summary>Throws <see cref="ThresherInputException"/> naming the bad value and the accepted range.</summary>
    public void Validate()
    {
        if (Layers.Count < 2)
            throw new ThresherInputException($"layers '{this}': need at least an input and an output size, e.g. 784,512,256,10");
        for (int i = 0; i < Layers.Count; i++)
        {
            if (Layers[i] < 1 || Layers[i] > MaxLayerWidth)
                throw new ThresherInputException($"layers '{this}': size {Layers[i]} at position {i + 1} is outside 1..{MaxLayerWidth}");
        }
        if (ParameterCount > MaxParameters)
            throw new ThresherInputException($"layers '{this}': {ParameterCount:N0} parameters exceed the limit of {MaxParameters:N0}");
    }

    /// <summary>Parses "784,512,256,10" (or "784-512-256-10").</summary>
    public static MlpConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        char separator = text.Contains(',', StringComparison.Ordinal) ? ',' : '-';
        var parts = text.Split(separator, StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out sizes[i]))
                throw new ThresherInputException($"layers '{text}': '{parts[i]}' is not a whole number; expected sizes like 784,512,256,10");
        }
        var config = new MlpConfig(sizes);
        config.Validate();
        return config;
    }

    public bool Equals(MlpConfig? other) => other is not null && Layers.SequenceEqual(other.Layers);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int size in Layers) hash.Add(size);
        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(',', Layers);
}
