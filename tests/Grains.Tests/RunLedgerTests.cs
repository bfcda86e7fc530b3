using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>The run's books without a cluster: counters, alerts, status, rewinds, and the stored record's round trip.</summary>
public sealed class RunLedgerTests
{
    /// <summary>A clock that moves only when told (ticks are 1 s apart at frequency 1).</summary>
    sealed class ManualClock : TimeProvider
    {
        public long Seconds = 1;
        public override long TimestampFrequency => 1;
        public override long GetTimestamp() => Seconds;
        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Seconds);
    }

    static readonly RunConfig Config = RunConfigs.Default with { Layers = [4, 3], Batch = 10, Steps = 8, AlertThreshold = 100 };

    static StepRecord Step(long step, double norm = 1, bool clipped = false, bool skipped = false, double? accuracy = null, string silo = "s1") =>
        new(step, 0, 0.5 + step, norm, Math.Min(norm, 15), 1f, clipped, skipped, [norm], [norm], accuracy, 2.0, [silo]);

    static RunLedger Running(ManualClock? clock = null)
    {
        var ledger = new RunLedger(clock ?? new ManualClock());
        ledger.Begin(Config, stepsPerEpoch: 4, totalSteps: 8);
        return ledger;
    }

    [Fact]
    public void A_new_ledger_is_pending_with_no_steps()
    {
        var status = new RunLedger().Status("r");
        Assert.Equal(RunState.Pending, status.State);
        Assert.Equal(0, status.Step);
        Assert.Null(status.Config);
        Assert.Null(status.LastLoss);
    }

    [Fact]
    public void Bytes_per_step_are_the_mean_over_the_kept_steps_that_measured_them()
    {
        var ledger = Running();
        Assert.Null(ledger.Status("r").BytesPerStep);
        ledger.Add(Step(0) with { Bytes = new CommunicationBytes(100, 200, 300, 400, 10, 20) });
        ledger.Add(Step(1) with { Bytes = new CommunicationBytes(300, 400, 500, 600, 30, 40) });
        ledger.Add(Step(2)); // a record without a measurement (an earlier version's) does not count
        Assert.Equal(new CommunicationBytes(200, 300, 400, 500, 20, 30), ledger.Status("r").BytesPerStep);

        ledger.Rewind(1); // a resume drops step 1 and after: only step 0 is left
        Assert.Equal(new CommunicationBytes(100, 200, 300, 400, 10, 20), ledger.Status("r").BytesPerStep);
    }

    [Fact]
    public void Steps_count_into_the_status()
    {
        var clock = new ManualClock();
        var ledger = Running(clock);
        ledger.Add(Step(0, clipped: true, silo: "s2"));
        ledger.Add(Step(1, skipped: true));
        clock.Seconds += 4;
        ledger.Add(Step(2, accuracy: 0.9));
        ledger.Add(Step(3));

        var status = ledger.Status("r");
        Assert.Equal(RunState.Running, status.State);
        Assert.Equal(4, status.Step);
        Assert.Equal(8, status.TotalSteps);
        Assert.Equal(4, status.StepsPerEpoch);
        Assert.Equal(1, status.ClippedSteps);
        Assert.Equal(1, status.SkippedSteps);
        Assert.Equal(0.9, status.TestAccuracy);
        Assert.Equal(3.5, status.LastLoss);
        Assert.Equal(["s1", "s2"], status.Silos);
        Assert.Equal(4, status.WallSeconds);
        Assert.Equal(40 / 4.0, status.SamplesPerSecond);
    }

    [Fact]
    public void The_first_evaluations_at_97_and_98_percent_are_kept_with_their_wall_time_and_rebuilt_after_a_rewind()
    {
        var clock = new ManualClock();
        var ledger = Running(clock);
        ledger.Add(Step(0, accuracy: 0.95));
        clock.Seconds += 2;
        ledger.Add(Step(1, accuracy: 0.972));
        clock.Seconds += 3;
        ledger.Add(Step(2, accuracy: 0.975));
        ledger.Add(Step(3, accuracy: 0.981));
        ledger.Add(Step(4, accuracy: 0.99));

        var status = ledger.Status("r");
        Assert.Equal(new AccuracyMilestone(1, 2), status.Reached97);
        Assert.Equal(new AccuracyMilestone(3, 5), status.Reached98);
        Assert.Equal(5, ledger.History[3].WallSeconds);
        ledger.Rewind(3);
        Assert.Equal(new AccuracyMilestone(1, 2), ledger.Status("r").Reached97);
        Assert.Null(ledger.Status("r").Reached98);
    }

    [Fact]
    public void The_detector_attaches_an_alert_to_the_step_that_raised_it()
    {
        var ledger = Running();
        Assert.Empty(ledger.Add(Step(0)).Alerts);
        var recorded = ledger.Add(Step(1, norm: 500));

        var alert = Assert.Single(recorded.Alerts);
        Assert.Equal("threshold", alert.Reason);
        Assert.Same(recorded, ledger.History[1]);
        var status = ledger.Status("r");
        Assert.Equal(1, status.AlertCount);
        Assert.Equal(alert, status.LastAlert);
    }

    [Fact]
    public void A_rewind_drops_later_steps_and_rebuilds_counters_and_detector_from_the_kept_ones()
    {
        var ledger = Running();
        ledger.Add(Step(0, clipped: true));
        ledger.Add(Step(1, norm: double.NaN, skipped: true)); // alert: non-finite
        ledger.Add(Step(2, clipped: true, silo: "gone"));

        ledger.Rewind(2);

        var status = ledger.Status("r");
        Assert.Equal(2, status.Step);
        Assert.Equal(1, status.ClippedSteps);
        Assert.Equal(1, status.SkippedSteps);
        Assert.Equal(1, status.AlertCount);         // the kept step keeps its alert; replay does not add another
        Assert.Equal(["s1"], status.Silos);
        Assert.Equal(1, status.Resumes);
        Assert.Equal(2, status.LastResumeStep);
        // The detector saw the non-finite streak in replay: a second non-finite step is not re-alerted.
        Assert.Empty(ledger.Add(Step(2, norm: double.NaN, skipped: true)).Alerts);
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Rewind(4));
    }

    [Fact]
    public void Slice_clamps_to_the_history()
    {
        var ledger = Running();
        for (int s = 0; s < 5; s++) ledger.Add(Step(s));
        Assert.Equal([3L, 4L], ledger.Slice(3, 10).Select(r => r.Step));
        Assert.Empty(ledger.Slice(9, 10));
        Assert.Equal([0L], ledger.Slice(-2, 1).Select(r => r.Step));
        Assert.Empty(ledger.Slice(0, -1));
    }

    [Fact]
    public void Finish_sets_state_error_and_wall_time()
    {
        var clock = new ManualClock();
        var ledger = Running(clock);
        clock.Seconds += 7;
        ledger.Finish(RunState.Failed, "step 0: boom");
        var status = ledger.Status("r");
        Assert.Equal(RunState.Failed, status.State);
        Assert.Equal("step 0: boom", status.Error);
        Assert.Equal(7, status.WallSeconds);
    }

    [Fact]
    public void The_stored_record_restores_a_ledger_whose_wall_time_adds_to_the_earlier_activations()
    {
        var clock = new ManualClock();
        var ledger = Running(clock);
        ledger.Add(Step(0, clipped: true));
        clock.Seconds += 3;
        ledger.Add(Step(1));
        ledger.Rewind(1);
        ledger.PassedOverCheckpoints("slot 1 damaged");
        var stored = new RunRecord();
        ledger.WriteTo(stored);

        var restored = new RunLedger(clock);
        restored.Restore(stored);
        restored.Replay(ledger.History);
        restored.StartClock();
        clock.Seconds += 2;
        restored.Add(Step(1));

        var status = restored.Status("r");
        Assert.Equal(RunState.Running, status.State);
        Assert.Equal(Config, status.Config);
        Assert.Equal(2, status.Step);
        Assert.Equal(1, status.ClippedSteps);
        Assert.Equal(1, status.Resumes);
        Assert.Equal(1, status.LastResumeStep);
        Assert.Equal("slot 1 damaged", status.LastResumeWarning);
        Assert.Equal(ledger.Status("r").StartedAt, status.StartedAt);
        Assert.Equal(3 + 2, status.WallSeconds);
    }
}
