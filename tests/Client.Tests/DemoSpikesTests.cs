using Thresher.Client.Output;
using Thresher.Client.Reports;

namespace Thresher.Client.Tests;

/// <summary>`thresher demo spikes` on a small dataset: three runs, the table, the plot, the verdicts in the CSVs.</summary>
public sealed class DemoSpikesTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-spikes-").FullName;

    public DemoSpikesTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Demo_spikes_runs_none_skip_and_rewind_with_the_same_injections_and_reports_their_actions()
    {
        string dir = Path.Combine(_work, "spikes");
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(4),
            "demo", "spikes", "--data", _data.Directory, "--steps", "160", "--out", dir);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Matches(@"│ --on-spike\s+│ test accuracy\s+│ final loss\s+│ spikes\s+│ skipped\s+│ rewinds\s+│ verdicts", stdout);

        var (_, none) = MetricsCsv.Read(Path.Combine(dir, "none", "metrics.csv"));
        Assert.Equal(160, none.Length);
        Assert.DoesNotContain(none, s => s.Action != "none" || s.Verdict.Length > 0);

        var (_, skip) = MetricsCsv.Read(Path.Combine(dir, "skip", "metrics.csv"));
        Assert.Equal(160, skip.Length);
        Assert.Contains(skip, s => s.Step == 100 && s.Action == "skip" && s.Verdict == "data");
        Assert.Contains(skip, s => s.BatchId == 120 && s.Verdict == "fault" && s.Culprit == 1 && !s.Skipped);

        var (_, rewind) = MetricsCsv.Read(Path.Combine(dir, "rewind", "metrics.csv"));
        Assert.Equal(160, rewind.Length); // one row per kept step
        Assert.Contains(rewind, s => s.Step == 50 && s.BatchId == 131); // back to the snapshot at 50; batches 50..130 skipped

        Assert.Contains($"plot: {Path.Combine(dir, "spikes.png")}", stdout, StringComparison.Ordinal);
        using var image = PlotImage.Load(Path.Combine(dir, "spikes.png"));
        image.AssertHasTitle();
        image.AssertSeries(SpikePlot.Colors[1], "the skip run's loss");
    }

    [Fact]
    public async Task Bad_steps_or_injections_are_bad_input()
    {
        var (code, _) = await CliRunner.RunInProcess("demo", "spikes", "--steps", "10");
        Assert.Equal(ExitCodes.BadInput, code);
        var (exit, stdout, stderr) = await CliRunner.RunExecutable("demo", "spikes", "--inject", "worker:7:nan@3");
        Assert.True(exit == ExitCodes.BadInput, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("worker 7 does not exist; the run has workers 0..1", stderr, StringComparison.Ordinal);
    }
}
