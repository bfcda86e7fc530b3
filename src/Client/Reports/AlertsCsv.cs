using System.Globalization;
using System.Text;
using Thresher.Abstractions;

namespace Thresher.Client.Reports;

/// <summary>
/// A run's explosion alerts beside its metrics: <c>alerts.csv</c> with header <c>step,reason,value,baseline,detail</c>
/// (reason nonfinite | threshold | spike; detail quoted). The metrics file has no alerts column, so a report made
/// from a metrics CSV reads its alerts from an alerts.csv in the same folder when there is one.
/// </summary>
public static class AlertsCsv
{
    public const string FileName = "alerts.csv";
    public const string Header = "step,reason,value,baseline,detail";

    public static void Write(string path, IEnumerable<GradientAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var a in alerts)
            text.Append(CultureInfo.InvariantCulture, $"{a.Step},{a.Reason},{R(a.Value)},{R(a.Baseline)},\"{a.Detail.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n");
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }

    /// <summary>Reads a file <see cref="Write"/> wrote; a bad row throws <see cref="ThresherInputException"/> naming file and line.</summary>
    public static GradientAlert[] Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header)
            throw new ThresherInputException($"{path}:1: not a Thresher alerts file; expected the header {Header}");
        var alerts = new List<GradientAlert>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            // The first four cells never hold commas; the detail is the quoted rest of the line.
            var cells = lines[i].Split(',', 5);
            if (cells.Length != 5 || !long.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out long step)
                || !double.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                || !double.TryParse(cells[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double baseline))
                throw new ThresherInputException($"{path}:{i + 1}: expected step,reason,value,baseline,\"detail\"; found '{lines[i]}'");
            string detail = cells[4].Length >= 2 && cells[4][0] == '"' && cells[4][^1] == '"'
                ? cells[4][1..^1].Replace("\"\"", "\"", StringComparison.Ordinal)
                : cells[4];
            alerts.Add(new GradientAlert(step, cells[1], value, baseline, detail));
        }
        return [.. alerts];
    }

    static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
