using System.Text.RegularExpressions;
using Thresher.Client.Commands;
using Thresher.Client.Output;
using Thresher.Client.Reports;

namespace Thresher.Client.Tests;

/// <summary>`thresher demo explosion`: the tutorial's story on MNIST, and the command's shape on a small dataset.</summary>
public sealed class DemoTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-demo-").FullName;

    public DemoTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [DataMnistFact]
    public async Task Demo_explosion_on_mnist_explodes_unclipped_raises_an_alert_and_trains_clipped()
    {
        string dir = Path.Combine(_work, "demo");
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(5), "demo", "explosion", "--out", dir);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        // Unclipped: of order 10² at step 0, beyond 10³ within 5 steps, then non-finite (NaN/∞ printed as such).
        var (names, unclipped) = MetricsCsv.Read(Path.Combine(dir, "unclipped", "metrics.csv"));
        Assert.Equal(["w1", "b1", "w2", "b2", "w3", "b3"], names);
        Assert.Equal(101, unclipped.Length);
        Assert.InRange(unclipped[0].GlobalNorm, 100, 1000);
        Assert.Contains(unclipped.Take(5), s => s.GlobalNorm > 1000);
        Assert.Contains(unclipped, s => s.Skipped && !double.IsFinite(s.GlobalNorm));
        Assert.Matches(@"unclipped: global norm \S+ at step 0, .*non-finite from step \d+ \((NaN|∞)\)", stdout);
        // The run's history (StepRecord.Alerts, written to alerts.csv by the report) holds the detector's alerts.
        var alerts = AlertsCsv.Read(Path.Combine(dir, "unclipped", AlertsCsv.FileName));
        Assert.NotEmpty(alerts);
        Assert.All(alerts, a => Assert.Contains(a.Reason, new[] { "nonfinite", "threshold", "growth", "spike" }));
        Assert.Equal("growth", alerts[0].Reason); // the early warning: step 1 grew 10×
        Assert.Equal(1, alerts[0].Step);
        Assert.Matches(@"unclipped: .*; alerts: [1-9]\d* \(first at step \d+", stdout);

        // Clipped at 15: the post-clip norm never exceeds it, nothing is skipped, and it learns.
        var (_, clipped) = MetricsCsv.Read(Path.Combine(dir, "clipped", "metrics.csv"));
        Assert.Equal(101, clipped.Length);
        Assert.All(clipped, s => Assert.True(s.ClippedNorm <= 15 + 1e-5, $"step {s.Step}: post-clip norm {s.ClippedNorm}"));
        Assert.Contains(clipped, s => s.Clipped);
        Assert.DoesNotContain(clipped, s => s.Skipped);
        Assert.True(clipped[100].Loss < clipped[0].Loss, $"loss {clipped[0].Loss} at step 0, {clipped[100].Loss} at step 100");

        // The side-by-side table: steps 0, 1, 2, 5, 10, 100, the unclipped row above the clipped one.
        foreach (var step in new[] { 0, 1, 2, 5, 10, 100 })
            Assert.Matches($@"│ {step}\s+│ unclipped │[^\n]*\n│\s+│ clipped\s+│", stdout);
        Assert.Matches(@"│ 100\s+│ unclipped │[^\n]*(NaN|∞)", stdout);

        Assert.Contains($"comparison plot: {Path.Combine(dir, "comparison.png")}", stdout, StringComparison.Ordinal);
        using (var comparison = PlotImage.Load(Path.Combine(dir, "comparison.png")))
        {
            comparison.AssertHasTitle();
            comparison.AssertSeries(ReportPlots.Unclipped, "unclipped norm", minimum: 100);
            comparison.AssertSeries(ReportPlots.PreClip, "clipped run's pre-clip norm");
            comparison.AssertSeries(ReportPlots.PostClip, "clipped run's post-clip norm");
            comparison.AssertSeries(ReportPlots.NonFinite, "non-finite markers");
        }
        PlotImage.AssertSvgHasPaths(Path.Combine(dir, "comparison.svg"));
        using (var norm = PlotImage.Load(Path.Combine(dir, "unclipped", "global_norm.png")))
        {
            norm.AssertSeries(ReportPlots.PreClip, "pre-clip norm", minimum: 100);
            norm.AssertSeries(ReportPlots.NonFinite, "non-finite markers");
            norm.AssertSeries(ReportPlots.Alert, "alert markers", minimum: 20);
        }
        foreach (var run in new[] { "unclipped", "clipped" })
            foreach (var plot in new[] { "global_norm", "tensor_norms", "loss_accuracy" })
            {
                using var image = PlotImage.Load(Path.Combine(dir, run, plot + ".png"));
                image.AssertHasTitle();
                PlotImage.AssertSvgHasPaths(Path.Combine(dir, run, plot + ".svg"));
            }
    }

    [Fact]
    public async Task Demo_explosion_on_a_small_dataset_prints_the_table_and_writes_both_reports_and_the_comparison()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            "demo", "explosion", "--data", _data.Directory, "--steps", "12");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        // Default folder: runs/demo-<time>/ under the working directory, printed.
        string dir = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "runs"), "demo-*"));
        Assert.Contains($"comparison plot: {Path.Combine(dir, "comparison.png")}", stdout, StringComparison.Ordinal);
        Assert.Matches(@"│ step\s+│ run\s+│\s+loss │\s+global │\s+post-clip │\s+w1 │\s+b1 │\s+w2 │\s+b2 │\s+w3 │\s+b3 │", stdout);
        var shown = Regex.Matches(stdout, @"│ (\d+)\s+│ unclipped │").Select(m => m.Groups[1].Value);
        Assert.Equal(["0", "1", "2", "5", "10", "11"], shown);

        foreach (var run in new[] { "unclipped", "clipped" })
        {
            var (names, steps) = MetricsCsv.Read(Path.Combine(dir, run, "metrics.csv"));
            Assert.Equal(6, names.Length);
            Assert.Equal(12, steps.Length);
            Assert.True(File.Exists(Path.Combine(dir, run, "summary.json")));
            Assert.True(File.Exists(Path.Combine(dir, run, AlertsCsv.FileName)));
            using var image = PlotImage.Load(Path.Combine(dir, run, "global_norm.png"));
            image.AssertSeries(ReportPlots.PreClip, $"{run} pre-clip norm", minimum: 100);
        }
        using var comparison = PlotImage.Load(Path.Combine(dir, "comparison.png"));
        comparison.AssertSeries(ReportPlots.PreClip, "clipped run's pre-clip norm", minimum: 100);
    }

    [Fact]
    public async Task Steps_out_of_range_is_bad_input()
    {
        var (code, output) = await CliRunner.RunInProcess("demo", "explosion", "--steps", "0");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.DoesNotContain("comparison plot", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "∞")]
    [InlineData(double.NegativeInfinity, "-∞")]
    [InlineData(257.31, "257.3")]
    [InlineData(2604.9, "2605")]
    [InlineData(103_800.0, "1.038e+5")]
    [InlineData(0.000123, "1.230e-4")]
    public void Norms_print_with_four_digits_and_non_finite_spelled_out(double value, string text)
        => Assert.Equal(text, DemoTable.Format(value));
}
