using Thresher.Core.Data;
using Thresher.Core.Tests.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>
/// The response ladder on real MNIST runs of the single-process trainer with W workers (the same
/// <see cref="SynchronousStep"/> the parameter server runs), with spikes injected on purpose.
/// </summary>
public sealed class SpikeLadderTests
{
    static readonly Lazy<Dataset> Mnist = new(() => DatasetCatalog.Load("mnist"));

    /// <summary>The default recipe, short; the ladder judges from step 20 on.</summary>
    static TrainingOptions Recipe(SpikeAction action, string inject, int steps) => Presets.Default with
    {
        Steps = steps,
        Spike = new SpikeOptions { OnSpike = action, Window = 40, MinHistory = 20, RewindSteps = 10, RewindAfter = 1, RewindSkipBatches = 2 },
        Inject = InjectionRule.ParseList(inject),
    };

    static (Trainer Trainer, List<StepStatistics> Steps) Run(TrainingOptions options, int workers, Action<Trainer>? beforeStep = null)
    {
        var trainer = new Trainer(options, Mnist.Value, threads: 1, workers: workers);
        var steps = new List<StepStatistics>();
        while (!trainer.Done)
        {
            beforeStep?.Invoke(trainer);
            steps.Add(trainer.TrainStep());
        }
        return (trainer, steps);
    }

    [MnistTheory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_data_spike_is_skipped_and_the_run_ends_as_one_whose_schedule_omits_that_batch(int workers)
    {
        var (skipping, steps) = Run(Recipe(SpikeAction.Skip, "batch:25:scale=1000", steps: 30), workers);
        var spiked = Assert.Single(steps, s => s.Spike is not null);
        Assert.Equal((25L, 25L, SpikeAction.Skip, true), (spiked.Step, spiked.BatchId, spiked.Action, spiked.Skipped));
        Assert.Contains("global norm", spiked.Spike, StringComparison.Ordinal);
        // Every worker's rows were scaled: the replay on another worker gives the same gradient, so the batch is the cause.
        Assert.Equal(Verdict.Data, spiked.Verdict);
        Assert.NotNull(spiked.Culprit);
        Assert.Contains("replayed on worker", spiked.Spike, StringComparison.Ordinal);
        Assert.Equal([25L], skipping.Guard.SkipList);

        var (omitting, _) = Run(Presets.Default with { Steps = 29, OmitBatches = [25] }, workers);
        Assert.Equal(omitting.Theta, skipping.Theta); // bit for bit
    }

    [MnistTheory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_NaN_from_one_worker_is_caught_before_theta_blamed_on_that_worker_and_replaced_by_the_replay(int workers)
    {
        int faulty = workers - 1;
        var (replacing, steps) = Run(Recipe(SpikeAction.Skip, $"worker:{faulty}:nan@22", steps: 24), workers);
        var spiked = Assert.Single(steps, s => s.Spike is not null);
        Assert.Equal((22L, faulty, Verdict.Fault, false), (spiked.Step, spiked.Culprit, spiked.Verdict, spiked.Skipped));
        Assert.Contains($"driven by worker {faulty} (local norm z Infinity", spiked.Spike, StringComparison.Ordinal);
        Assert.Contains("replayed on worker 0: fault", spiked.Spike, StringComparison.Ordinal);

        var (undisturbed, _) = Run(Presets.Default with { Steps = 24 }, workers);
        Assert.Equal(undisturbed.Theta, replacing.Theta); // the replay's part is the honest one: bit for bit
    }

    [MnistTheory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_noisy_worker_is_attributed_with_verdict_fault_and_the_run_ends_as_an_undisturbed_one(int workers)
    {
        var (replacing, steps) = Run(Recipe(SpikeAction.Skip, "worker:1:from=22:noise=1000", steps: 26), workers);
        var spiked = steps.Where(s => s.Spike is not null).ToList();
        Assert.Equal([22L, 23L, 24L, 25L], spiked.Select(s => s.Step));
        Assert.All(spiked, s => Assert.Equal((1, Verdict.Fault, SpikeAction.None), (s.Culprit, s.Verdict, s.Action)));
        Assert.Empty(replacing.Guard.SkipList);

        var (undisturbed, _) = Run(Presets.Default with { Steps = 26 }, workers);
        Assert.Equal(undisturbed.Theta, replacing.Theta);
    }

    [MnistTheory]
    [InlineData(2)]
    [InlineData(4)]
    public void A_rewind_restores_theta_bit_for_bit_from_its_snapshot_and_the_run_finishes(int workers)
    {
        var atStep20 = new List<float[]>(); // θ before step 20: when it is first reached, and again after the rewind
        var (rewinding, steps) = Run(Recipe(SpikeAction.Rewind, "batch:32:scale=1000", steps: 40), workers,
            t => { if (t.Step == 20) atStep20.Add((float[])t.Theta.Clone()); });
        var rewind = Assert.Single(steps, s => s.Action == SpikeAction.Rewind);
        // Snapshots at steps 20 and 30; a spike at 32 goes back to the newest at least 10 steps before it: 20.
        Assert.Equal((32L, 20L), (rewind.Step, rewind.RewindTo));
        Assert.Equal(2, atStep20.Count);
        Assert.Equal(atStep20[0], atStep20[1]); // bit for bit
        var rerun = steps[steps.IndexOf(rewind) + 1];
        Assert.Equal((20L, 35L), (rerun.Step, rerun.BatchId)); // batches 20..32 and 2 more skipped
        Assert.Contains("back to step 20, batches 20..34 skipped", rerun.Event, StringComparison.Ordinal);
        Assert.True(rewinding.Done);
        Assert.Equal(1, rewinding.Guard.Rewinds);
        Assert.Equal(2L * rewinding.Theta.Length * sizeof(float), rewinding.Guard.SnapshotBytes); // two θ copies, no momentum state

        // The rest of the run equals one whose schedule omits batches 20..34, to the bit.
        var (omitting, _) = Run(Presets.Default with { Steps = 40, OmitBatches = [.. Enumerable.Range(20, 15).Select(b => (long)b)] }, workers);
        Assert.Equal(omitting.Theta, rewinding.Theta);
    }

    [MnistFact]
    public void Abort_fails_the_step_with_the_spike_described()
    {
        var e = Assert.Throws<SpikeAbortException>(() => Run(Recipe(SpikeAction.Abort, "batch:21:scale=1000", steps: 25), workers: 2));
        Assert.StartsWith("spike at step 21 (batch 21): global norm", e.Message, StringComparison.Ordinal);
    }

    [MnistFact]
    public void The_ladder_off_applies_every_finite_step_and_only_reports_the_spike()
    {
        var (trainer, steps) = Run(Recipe(SpikeAction.None, "batch:21:scale=1000", steps: 23), workers: 2);
        var spiked = steps.First(s => s.Spike is not null); // applied: the steps after it may spike too
        Assert.Equal((21L, SpikeAction.None, false), (spiked.Step, spiked.Action, spiked.Skipped));
        Assert.All(steps, s => Assert.Equal((SpikeAction.None, false), (s.Action, s.Skipped)));
        Assert.Equal(0, trainer.Guard.SnapshotBytes);
    }
}
