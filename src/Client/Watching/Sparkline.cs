namespace Thresher.Client.Watching;

/// <summary>
/// A one-line chart of a series in the eight block characters ▁…█, scaled between the series' own finite
/// minimum and maximum (optionally on a log scale, for norms that span decades). Non-finite values show
/// as '×' so an explosion is visible, not hidden.
/// </summary>
public static class Sparkline
{
    const string Blocks = "▁▂▃▄▅▆▇█";

    public static string Render(IReadOnlyList<double> values, bool logScale)
    {
        ArgumentNullException.ThrowIfNull(values);
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (!Usable(v, logScale)) continue;
            double t = logScale ? Math.Log10(v) : v;
            lo = Math.Min(lo, t);
            hi = Math.Max(hi, t);
        }
        var chars = new char[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v)) { chars[i] = '×'; continue; }
            if (!Usable(v, logScale)) { chars[i] = Blocks[0]; continue; }
            double t = logScale ? Math.Log10(v) : v;
            int level = hi > lo ? (int)Math.Round((t - lo) / (hi - lo) * (Blocks.Length - 1)) : Blocks.Length / 2;
            chars[i] = Blocks[Math.Clamp(level, 0, Blocks.Length - 1)];
        }
        return new string(chars);
    }

    static bool Usable(double v, bool logScale) => double.IsFinite(v) && (!logScale || v > 0);
}
