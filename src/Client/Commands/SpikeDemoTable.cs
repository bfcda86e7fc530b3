using System.Globalization;
using Spectre.Console;
using Thresher.Client.Reports;

namespace Thresher.Client.Commands;

/// <summary>`demo spikes`' table: one row per --on-spike policy.</summary>
static class SpikeDemoTable
{
    public static Table Build(IReadOnlyList<RunHistory> runs)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("--on-spike").AddColumn("test accuracy").AddColumn("final loss").AddColumn("spikes")
            .AddColumn("skipped").AddColumn("rewinds").AddColumn("verdicts").AddColumn("non-finite");
        foreach (var run in runs)
        {
            var steps = run.Steps;
            double? accuracy = steps.LastOrDefault(s => s.TestAccuracy is not null)?.TestAccuracy;
            string verdicts = string.Join(", ", steps.Where(s => s.Verdict.Length > 0).GroupBy(s => s.Verdict).Select(g => $"{g.Key} ×{g.Count()}"));
            table.AddRow(
                run.Name,
                accuracy is double a ? (100 * a).ToString("F2", CultureInfo.InvariantCulture) + " %" : "-",
                steps.Count > 0 ? DemoTable.Format(steps[^1].Loss) : "-",
                steps.Count(s => s.Spike is not null).ToString(CultureInfo.InvariantCulture),
                steps.Count(s => s.Skipped).ToString(CultureInfo.InvariantCulture),
                steps.Count(s => s.Event is not null).ToString(CultureInfo.InvariantCulture),
                verdicts.Length > 0 ? verdicts : "-",
                steps.Count(s => !double.IsFinite(s.GlobalNorm)).ToString(CultureInfo.InvariantCulture));
        }
        return table;
    }
}
