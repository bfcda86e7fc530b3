using System.Globalization;
using Spectre.Console;
using Thresher.Abstractions;
using Thresher.Client.Reports;

namespace Thresher.Client.Commands;

/// <summary>
/// The demo's side-by-side table: for each chosen step, the unclipped run's row above the clipped run's —
/// loss, pre- and post-clip global norm and each tensor's pre-clip norm (w1, b1, …, the tutorial's layout).
/// NaN and ±∞ print as NaN, ∞ and -∞ (in red).
/// </summary>
static class DemoTable
{
    /// <summary>The tutorial's steps 0, 1, 2, 5, 10, 100 that the runs reached, and their last step.</summary>
    public static long[] StepsToShow(long steps)
        => [.. new long[] { 0, 1, 2, 5, 10, 100, steps - 1 }.Where(s => s >= 0 && s < steps).Distinct().Order()];

    public static Table Build(RunHistory unclipped, RunHistory clipped, IEnumerable<long> steps)
    {
        var table = new Table().Title("gradient norms per step (pre-clip unless noted), same seed");
        table.AddColumn("step").AddColumn("run").AddColumn("loss").AddColumn("global").AddColumn("post-clip");
        foreach (var name in unclipped.TensorNames) table.AddColumn(new TableColumn(name).RightAligned());
        foreach (var column in table.Columns.Skip(2)) column.RightAligned();
        foreach (long step in steps)
        {
            Row(table, step.ToString(CultureInfo.InvariantCulture), "unclipped", At(unclipped, step), unclipped.TensorNames.Count);
            Row(table, "", "clipped", At(clipped, step), unclipped.TensorNames.Count);
        }
        return table;
    }

    static StepRecord? At(RunHistory run, long step) => run.Steps.FirstOrDefault(s => s.Step == step);

    static void Row(Table table, string step, string run, StepRecord? r, int tensors)
    {
        var cells = new List<Markup> { new(step), new(run) };
        if (r is null)
        {
            cells.AddRange(Enumerable.Range(0, 3 + tensors).Select(_ => new Markup("-")));
        }
        else
        {
            cells.Add(Cell(r.Loss));
            cells.Add(Cell(r.GlobalNorm));
            cells.Add(Cell(r.ClippedNorm));
            cells.AddRange(r.TensorNorms.Select(Cell));
        }
        table.AddRow(cells);
    }

    static Markup Cell(double value) => double.IsFinite(value) ? new Markup(Format(value)) : new Markup($"[red]{Format(value)}[/]");

    /// <summary>4 significant digits; scientific beyond 10⁴ or below 10⁻³; NaN, ∞, -∞ spelled out.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "∞";
        if (double.IsNegativeInfinity(value)) return "-∞";
        double abs = Math.Abs(value);
        return abs >= 1e4 || (abs < 1e-3 && abs > 0)
            ? value.ToString("0.000e+0", CultureInfo.InvariantCulture)
            : value.ToString("G4", CultureInfo.InvariantCulture);
    }
}
