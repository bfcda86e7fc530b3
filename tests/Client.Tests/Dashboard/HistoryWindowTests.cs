using Thresher.Abstractions;
using Thresher.Dashboard;

namespace Thresher.Client.Tests.Dashboard;

/// <summary>The history endpoint's rows, without a cluster: a 100k-step run with one explosion and a NaN stretch.</summary>
public sealed class HistoryWindowTests
{
    const int Steps = 100_000;

    static RunSnapshot LongRun()
    {
        var records = new StepRecord[Steps];
        for (int i = 0; i < Steps; i++)
        {
            double norm = i == 54_321 ? 5e4 : i >= 90_000 ? double.NaN : 10 + (i % 7);
            records[i] = new StepRecord(i, i / 468, 2.0 / (1 + i), norm, Math.Min(norm, 15), 1f, norm > 15, double.IsNaN(norm),
                [norm / 2, 1, norm / 3, 1], [norm, norm * 1.01], i % 1000 == 999 ? 0.9 : null, 12, ["silo-a", "silo-b"])
            {
                Alerts = i == 54_321 ? [new GradientAlert(i, "spike", norm, 13, "spike")]
                    : i >= 90_000 ? [new GradientAlert(i, "nonfinite", double.NaN, double.NaN, "global norm is NaN")] : [],
            };
        }
        var status = new RunStatus { RunId = "long", State = RunState.Running, Step = Steps, TotalSteps = 200_000, Config = new RunConfig { Clip = 15 } };
        return new RunSnapshot(status, records);
    }

    [Fact]
    public void The_overview_of_100k_steps_is_about_the_points_asked_for_and_keeps_the_spike()
    {
        var window = HistoryWindow.Of(LongRun(), 0, Steps, 2000);

        Assert.True(window.Downsampled);
        Assert.InRange(window.Step.Length, 2000, 8000);
        Assert.Contains(54_321L, window.Step);
        Assert.Equal(5e4, window.GlobalNorm.Max()!.Value);
        Assert.Equal(["w1", "b1", "w2", "b2"], window.Tensors);
        Assert.Equal(4, window.TensorNorms.Length);
        Assert.Equal(2, window.WorkerNorms.Length);
        Assert.All(window.TensorNorms.Append(window.Loss), column => Assert.Equal(window.Step.Length, column.Length));
        Assert.Equal((double?)15, window.Clip);
        // The NaN stretch is null (a gap), never a number; its alerts are listed up to the cap, the rest counted.
        Assert.Null(window.GlobalNorm[^1]);
        Assert.Equal(HistoryWindow.MaxAlerts, window.Alerts.Length);
        Assert.Equal(10_001 - HistoryWindow.MaxAlerts, window.AlertsLeftOut);
        Assert.Equal("spike", window.Alerts[0].Reason);
        Assert.Null(window.Alerts[1].Value);
    }

    [Fact]
    public void A_zoomed_range_within_the_budget_is_every_step_of_it()
    {
        var window = HistoryWindow.Of(LongRun(), 54_000, 55_000, 2000);

        Assert.False(window.Downsampled);
        Assert.Equal(Enumerable.Range(54_000, 1000).Select(i => (long)i), window.Step);
        Assert.Equal((double?)0.9, window.TestAccuracy[999]);
        Assert.Null(window.TestAccuracy[0]);
        Assert.Single(window.Alerts);
    }

    [Fact]
    public void A_range_past_the_recorded_steps_is_empty()
    {
        var window = HistoryWindow.Of(LongRun(), 200_000, 300_000, 2000);
        Assert.Empty(window.Step);
        Assert.Empty(window.Alerts);
    }
}
