using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Thresher.Client.Reports;

/// <summary>
/// A base-10 log y axis for ScottPlot, which plots linear coordinates: values go in as log10(v), the axis
/// labels each decade as 10^y with minor ticks at 2…9 × 10^y. Values ≤ 0, NaN and ±∞ have no place on it;
/// they become NaN (a gap in the line) and the caller marks them in the band above the data.
/// </summary>
static class LogScale
{
    /// <summary>log10 of each value; NaN where the value is not finite and positive.</summary>
    public static double[] Log10(IEnumerable<double> values)
        => [.. values.Select(v => double.IsFinite(v) && v > 0 ? Math.Log10(v) : double.NaN)];

    /// <summary>True when the finite positive values span at least <paramref name="decades"/> decades.</summary>
    public static bool Spans(IEnumerable<double> values, double decades)
    {
        var finite = values.Where(v => double.IsFinite(v) && v > 0).ToArray();
        return finite.Length > 1 && Math.Log10(finite.Max() / finite.Min()) >= decades;
    }

    /// <summary>Labels <paramref name="axis"/> in decades (…, 0.1, 1, 10, 100, 1,000, 10⁴, …) with log-spaced minor ticks.</summary>
    public static void Apply(IAxis axis) => axis.TickGenerator = new NumericAutomatic
    {
        IntegerTicksOnly = true,
        MinorTickGenerator = new LogDecadeMinorTickGenerator(),
        LabelFormatter = Decade,
    };

    /// <summary>Where the markers of values a log axis cannot show go: half a decade above the highest finite log value.</summary>
    public static double TopBand(IEnumerable<double[]> logSeries)
    {
        double max = double.NegativeInfinity;
        foreach (var series in logSeries)
            foreach (double y in series)
                if (!double.IsNaN(y)) max = Math.Max(max, y);
        return double.IsNegativeInfinity(max) ? 1 : max + 0.5;
    }

    /// <summary>0.001 … 1,000 in plain digits, other decades as 10 with a superscript exponent (10⁴, 10⁻⁵).</summary>
    static string Decade(double y)
    {
        int exponent = (int)Math.Round(y);
        if (exponent is >= -3 and <= 3) return Math.Pow(10, exponent).ToString(exponent < 0 ? "0.###" : "#,0", CultureInfo.InvariantCulture);
        return "10" + string.Concat(exponent.ToString(CultureInfo.InvariantCulture).Select(c => c == '-' ? '⁻' : Superscripts[c - '0']));
    }

    const string Superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
}
