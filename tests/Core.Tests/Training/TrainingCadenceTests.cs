using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Tests.Data;
using Thresher.Core.Training;

namespace Thresher.Core.Tests.Training;

/// <summary>When a run evaluates and checkpoints: the one rule the run grain, the trainer and the cluster bench share.</summary>
public sealed class TrainingCadenceTests
{
    [Theory]
    [InlineData(9, true)]    // the last step of epoch 0 (10 steps per epoch)
    [InlineData(19, true)]   // of epoch 1
    [InlineData(0, false)]
    [InlineData(8, false)]
    [InlineData(10, false)]
    [InlineData(24, true)]   // the run's last step (25 steps), mid-epoch
    public void Evaluates_after_the_last_step_of_each_epoch_and_of_the_run(long step, bool expected)
        => Assert.Equal(expected, TrainingCadence.EvaluatesAfter(step, stepsPerEpoch: 10, totalSteps: 25, evalEvery: 0));

    [Theory]
    [InlineData(3, true)]    // 4 steps done
    [InlineData(7, true)]
    [InlineData(9, true)]    // end of epoch, not a multiple of 4
    [InlineData(4, false)]
    [InlineData(10, false)]
    public void Eval_every_adds_every_nth_step(long step, bool expected)
        => Assert.Equal(expected, TrainingCadence.EvaluatesAfter(step, stepsPerEpoch: 10, totalSteps: 100, evalEvery: 4));

    [Fact]
    public void Any_evaluates_looks_at_the_steps_from_inclusive_to_exclusive()
    {
        Assert.False(TrainingCadence.AnyEvaluates(0, 9, stepsPerEpoch: 10, totalSteps: 100, evalEvery: 0));
        Assert.True(TrainingCadence.AnyEvaluates(0, 10, stepsPerEpoch: 10, totalSteps: 100, evalEvery: 0));
        Assert.False(TrainingCadence.AnyEvaluates(10, 19, stepsPerEpoch: 10, totalSteps: 100, evalEvery: 0));
        Assert.False(TrainingCadence.AnyEvaluates(5, 5, stepsPerEpoch: 10, totalSteps: 100, evalEvery: 0));
    }

    [Fact]
    public void A_schedule_without_steps_per_epoch_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => TrainingCadence.EvaluatesAfter(0, stepsPerEpoch: 0, totalSteps: 10, evalEvery: 0));

    [Theory]
    [InlineData(50, 1000, 50, true)]
    [InlineData(49, 1000, 50, false)]
    [InlineData(100, 1000, 50, true)]
    [InlineData(1000, 1000, 0, true)]   // 0: only at the end
    [InlineData(50, 1000, 0, false)]
    [InlineData(1001, 1000, 0, true)]
    [InlineData(7, 7, 50, true)]        // the end, not a multiple
    public void Checkpoints_every_n_steps_done_and_at_the_end(long stepsDone, long totalSteps, int every, bool expected)
        => Assert.Equal(expected, TrainingCadence.CheckpointsAt(stepsDone, totalSteps, every));

    [Fact]
    public void The_trainer_asks_the_same_rule_with_its_own_schedule()
    {
        using var dir = new TempDir();
        TinyDataset.Write(dir.Path, train: 20, test: 7); // 4×3 images: 12 features
        var options = new TrainingOptions { Layers = new MlpConfig([12, 10]), Batch = 4, Steps = 7, EvalEvery = 3 };
        var trainer = new Trainer(options, DatasetCatalog.Load(dir.Path));
        Assert.Equal(5, trainer.Schedule.StepsPerEpoch);
        // After steps 2 and 5 (every 3rd), 4 (end of epoch 0) and 6 (the last).
        Assert.Equal([false, false, true, false, true, true, true], Enumerable.Range(0, 7).Select(s => trainer.EvaluatesAfter(s)).ToArray());
    }
}
