using System.Globalization;

namespace Thresher.Core.Training;

/// <summary>
/// The ladder's detector: rolling mean and sample sd of the last Window accepted global norms and losses; a step
/// whose norm or loss lies beyond σ·sd (one- or two-sided) once MinHistory steps are held is a spike, and so is a
/// non-finite one. Only accepted steps (<see cref="Accept"/>) enter the window, so a spike never widens the
/// baseline it is judged by. Not thread-safe; one per run.
/// </summary>
public sealed class SpikeRule(SpikeOptions options)
{
    readonly Series _norms = new(options.Window), _losses = new(options.Window);

    /// <summary>Why the step is a spike ("global norm 8.4e+06 is 31σ above the mean 1.2"), or null when it is not.</summary>
    public string? Judge(double norm, double loss)
    {
        if (!double.IsFinite(norm)) return $"global norm is {F(norm)}";
        if (!double.IsFinite(loss)) return $"loss is {F(loss)}";
        return Beyond("global norm", norm, _norms) ?? Beyond("loss", loss, _losses);
    }

    /// <summary>The step was not a spike: its values enter the window.</summary>
    public void Accept(double norm, double loss)
    {
        _norms.Add(norm);
        _losses.Add(loss);
    }

    string? Beyond(string what, double x, Series series)
    {
        if (series.Count < options.EffectiveMinHistory) return null;
        var (mean, sd) = series.MeanAndSd();
        double z = sd > 0 ? (x - mean) / sd : 0;
        bool spike = options.TwoSided ? Math.Abs(z) > options.Sigma : z > options.Sigma;
        return spike ? $"{what} {F(x)} is {F(z)}σ from the rolling mean {F(mean)} (sd {F(sd)}, {series.Count} steps)" : null;
    }

    static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A ring buffer of the last N values; mean and sd are recomputed per call (N ≤ 100000, in double).</summary>
    sealed class Series(int capacity)
    {
        readonly double[] _values = new double[capacity];
        int _next;

        public int Count { get; private set; }

        public void Add(double value)
        {
            _values[_next] = value;
            _next = (_next + 1) % _values.Length;
            if (Count < _values.Length) Count++;
        }

        /// <summary>Mean and sample sd (n − 1, as torch.std_mean).</summary>
        public (double Mean, double Sd) MeanAndSd()
        {
            double sum = 0;
            for (int i = 0; i < Count; i++) sum += _values[i];
            double mean = sum / Count, squares = 0;
            for (int i = 0; i < Count; i++) squares += (_values[i] - mean) * (_values[i] - mean);
            return (mean, Count > 1 ? Math.Sqrt(squares / (Count - 1)) : 0);
        }
    }
}
