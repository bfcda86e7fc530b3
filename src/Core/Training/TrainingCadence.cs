namespace Thresher.Core.Training;

/// <summary>
/// When a run evaluates on the test set and when it checkpoints: one rule for the run grain, the trainer's callers
/// and the cluster bench (which times only the steps that do not evaluate). Steps are 0-based; "after step s"
/// means once s's update is applied, i.e. with s + 1 steps done.
/// </summary>
public static class TrainingCadence
{
    /// <summary>
    /// Whether the run evaluates after step <paramref name="step"/>: the last step of an epoch, the last step of the
    /// run, or every <paramref name="evalEvery"/>-th step (0 or less: none besides those).
    /// </summary>
    public static bool EvaluatesAfter(long step, int stepsPerEpoch, long totalSteps, int evalEvery)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        long done = step + 1;
        return done % stepsPerEpoch == 0 || done == totalSteps || (evalEvery > 0 && done % evalEvery == 0);
    }

    /// <summary>Whether any step in [<paramref name="from"/>, <paramref name="to"/>) evaluates (see <see cref="EvaluatesAfter"/>).</summary>
    public static bool AnyEvaluates(long from, long to, int stepsPerEpoch, long totalSteps, int evalEvery)
    {
        for (long s = from; s < to; s++)
            if (EvaluatesAfter(s, stepsPerEpoch, totalSteps, evalEvery)) return true;
        return false;
    }

    /// <summary>
    /// Whether the run checkpoints with <paramref name="stepsDone"/> steps done: at the end of the run, and every
    /// <paramref name="every"/> steps (0 or less: only at the end).
    /// </summary>
    public static bool CheckpointsAt(long stepsDone, long totalSteps, int every)
        => stepsDone >= totalSteps || (every > 0 && stepsDone % every == 0);
}
