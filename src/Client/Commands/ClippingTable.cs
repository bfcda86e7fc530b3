using System.Globalization;
using Spectre.Console;

namespace Thresher.Client.Commands;

/// <summary>`demo clipping`'s side-by-side table: one row per clip policy, the verdict last (rescued in green, exploded in red).</summary>
static class ClippingTable
{
    public static Table Build(IEnumerable<ClippingOutcome> outcomes, long steps)
    {
        var table = new Table().Title(string.Create(CultureInfo.InvariantCulture, $"the tutorial's exploding recipe (tutorial-unclipped), {steps} steps, one seed, per clip policy"));
        table.AddColumn("policy").AddColumn("test accuracy").AddColumn("clipped").AddColumn("skipped")
            .AddColumn("max pre-clip").AddColumn("max post-clip").AddColumn("first non-finite").AddColumn("last threshold").AddColumn("verdict");
        foreach (var column in table.Columns.Skip(1).Take(7)) column.RightAligned();
        foreach (var o in outcomes)
        {
            table.AddRow(
                new Markup(Markup.Escape(o.Policy)),
                new Markup(o.FinalAccuracy is double a ? a.ToString("P2", CultureInfo.InvariantCulture) : "-"),
                new Markup(Count(o.Clipped, o.Steps)),
                new Markup(o.Skipped > 0 ? $"[red]{Count(o.Skipped, o.Steps)}[/]" : Count(o.Skipped, o.Steps)),
                new Markup(DemoTable.Format(o.MaxPreClip)),
                new Markup(DemoTable.Format(o.MaxPostClip)),
                new Markup(o.FirstNonFinite is long s ? $"[red]step {s}[/]" : "none"),
                new Markup(double.IsPositiveInfinity(o.LastThreshold) ? "none" : DemoTable.Format(o.LastThreshold)),
                new Markup(o.Rescued ? "[green]rescued[/]" : "[red]explodes[/]"));
        }
        return table;
    }

    static string Count(int n, int of) => string.Create(CultureInfo.InvariantCulture, $"{n}/{of}");
}
