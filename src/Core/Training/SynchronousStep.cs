using System.Runtime.InteropServices;

namespace Thresher.Core.Training;

/// <summary>One worker's reply for a step.</summary>
/// <param name="Gradient">g_w: float32 bytes, layout order, P floats, already scaled by 1/B (B the step's global batch).</param>
/// <param name="Result">Its rows, loss sum and local norm (NaN when the worker did not measure it).</param>
public readonly record struct WorkerPart(byte[] Gradient, WorkerGradientResult Result);

/// <summary>
/// A step's W parts summed and measured, not yet applied: what <see cref="SynchronousStep.Apply(byte[], MeasuredStep, long)"/>
/// needs, and what a host reports besides the <see cref="StepStatistics"/>.
/// </summary>
/// <param name="Gradients">The parts' g_w, worker order, or pre-aggregated the silos' partial sums in the order of their lowest worker (read, never written).</param>
/// <param name="LossSum">Σ_w of the workers' loss sums, added in worker order.</param>
/// <param name="Samples">Σ_w n_w: the rows of the step's global batch.</param>
/// <param name="WorkerNorms">Each worker's local norm, worker order (NaN where it was not measured).</param>
/// <param name="Decision">Norms and clip decision of g = Σ_w g_w.</param>
public sealed record MeasuredStep(IReadOnlyList<byte[]> Gradients, double LossSum, int Samples, double[] WorkerNorms, ClipDecision Decision)
{
    /// <summary>Mean loss over the global batch: Σ loss / Σ rows.</summary>
    public double MeanLoss => LossSum / Samples;
}

/// <summary>
/// The parameter server's half of a synchronous data-parallel step, shared by the cluster's parameter server and
/// the single-process <see cref="Trainer"/>: the W workers' parts arrive in worker order; their loss sums, rows and
/// local norms are gathered in that order, and g = Σ_w g_w goes through <see cref="PartsUpdate"/> (sum, norms,
/// clip_by_global_norm, non-finite policy, SGD). Because both hosts run this one type, the same parts give the
/// same θ to the bit. <see cref="Measure"/> and Apply are separate so a host can trace them as separate spans.
/// One instance per run (it owns the sum buffer); not thread-safe.
/// </summary>
public sealed class SynchronousStep
{
    readonly PartsUpdate _update;
    MeasuredStep? _measured; // the last Measure not yet applied: the only one Apply accepts, since the sum buffer holds its g

    /// <param name="threads">Threads of the sum, norms and SGD (≥ 1); any count gives the same bits.</param>
    /// <param name="spike">The response ladder's settings (default: none, which applies every finite step).</param>
    /// <param name="omittedBatches">Batch ids the run's schedule leaves out (its skip list).</param>
    public SynchronousStep(UpdateRule rule, int threads, SpikeOptions? spike = null, IEnumerable<long>? omittedBatches = null)
    {
        _update = new PartsUpdate(rule, threads);
        Guard = new SpikeGuard(spike ?? new SpikeOptions(), rule, omittedBatches);
        _blame = new WorkerBlame(Guard.Options.Window);
    }

    readonly WorkerBlame _blame;
    (WorkerSuspicion Suspect, int ReplayedOn, Verdict Verdict)? _attribution; // the replay of the step measured last

    /// <summary>
    /// When the ladder is on, the step has W ≥ 2 measured local norms and the ladder would call it a spike: the worker
    /// whose part to replay on another worker (the one whose local norm stands out most against its own history).
    /// </summary>
    public WorkerSuspicion? Suspect(MeasuredStep measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        if (Guard.Options.OnSpike == SpikeAction.None || measured.WorkerNorms.Length < 2 || measured.WorkerNorms.All(double.IsNaN)) return null;
        return Guard.WouldSpike(measured.Decision.GlobalNorm, measured.MeanLoss) ? _blame.Rank(measured.WorkerNorms)[0] : null;
    }

    /// <summary>
    /// The host replayed the suspect's part on worker <paramref name="replayedOn"/>: the verdict goes into the step's
    /// statistics (a data verdict also puts the batch on the run's skip list). With a fault verdict the host has put the
    /// replay in the suspect's place and measured the step again before calling this.
    /// </summary>
    public void Convict(long step, WorkerSuspicion suspect, int replayedOn, Verdict verdict)
    {
        if (verdict == Verdict.Data) Guard.SkipList.Add(Guard.BatchOf(step));
        _attribution = (suspect, replayedOn, verdict);
    }

    /// <summary>The response ladder and the data cursor: step s trains on batch Guard.BatchOf(s).</summary>
    public SpikeGuard Guard { get; }

    public UpdateRule Rule => _update.Rule;

    public int Threads => _update.Threads;

    /// <summary>Gathers the parts (worker order) and measures g = Σ_w g_w. Valid until the next Measure.</summary>
    public MeasuredStep Measure(IReadOnlyList<WorkerPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("no worker parts", nameof(parts));
        return Measure([.. parts.Select(p => p.Gradient)], [.. parts.Select(p => p.Result)]);
    }

    /// <summary>
    /// A pre-aggregated step: g = Σ <paramref name="sums"/> (silo partial sums, in the order of their lowest worker), while
    /// the bookkeeping (loss sums, rows, local norms) still comes per worker, in worker order, from <paramref name="workers"/>.
    /// </summary>
    public MeasuredStep Measure(IReadOnlyList<byte[]> sums, IReadOnlyList<WorkerGradientResult> workers)
    {
        ArgumentNullException.ThrowIfNull(sums);
        ArgumentNullException.ThrowIfNull(workers);
        if (workers.Count == 0) throw new ArgumentException("no worker results", nameof(workers));
        double lossSum = 0;
        int samples = 0;
        var workerNorms = new double[workers.Count];
        for (int w = 0; w < workers.Count; w++)
        {
            lossSum += workers[w].LossSum;
            samples += workers[w].Samples;
            workerNorms[w] = workers[w].LocalNorm;
        }
        var gradients = sums.ToArray();
        var decision = _update.Measure(gradients);
        return _measured = new MeasuredStep(gradients, lossSum, samples, workerNorms, decision);
    }

    /// <summary>Applies the step just measured to θ (float32 bytes, the wire format), once. Non-finite g: skipped or aborted per policy, θ untouched.</summary>
    public StepStatistics Apply(byte[] theta, MeasuredStep measured, long step)
    {
        ArgumentNullException.ThrowIfNull(theta);
        TakeLatest(measured);
        long batch = Guard.BatchOf(step);
        var ladder = Guard.Decide(step, measured.Decision.GlobalNorm, measured.MeanLoss, MemoryMarshal.Cast<byte, float>(theta.AsSpan()));
        var stats = ladder.Applies ? _update.Apply(theta, measured.Gradients, step, measured.MeanLoss, measured.Decision) : NotApplied(measured, step);
        return Annotate(stats, batch, ladder, measured.WorkerNorms);
    }

    /// <summary>Applies the step just measured to θ held as floats (the trainer's <see cref="Trainer.Theta"/>), in place, once.</summary>
    public StepStatistics Apply(float[] theta, MeasuredStep measured, long step)
    {
        ArgumentNullException.ThrowIfNull(theta);
        TakeLatest(measured);
        long batch = Guard.BatchOf(step);
        var ladder = Guard.Decide(step, measured.Decision.GlobalNorm, measured.MeanLoss, theta);
        var stats = ladder.Applies ? _update.Apply(theta, measured.Gradients, step, measured.MeanLoss, measured.Decision) : NotApplied(measured, step);
        return Annotate(stats, batch, ladder, measured.WorkerNorms);
    }

    /// <summary>A step the ladder skipped (or rewound): θ and optimizer state untouched by it.</summary>
    StepStatistics NotApplied(MeasuredStep measured, long step)
        => Rule.Statistics(step, measured.MeanLoss, measured.Decision, skipped: true);

    StepStatistics Annotate(StepStatistics stats, long batch, SpikeDecision ladder, double[] workerNorms)
    {
        if (ladder.Applies && ladder.Spike is null) _blame.Accept(workerNorms);
        var attribution = _attribution;
        _attribution = null;
        string? spike = ladder.Spike;
        if (attribution is var (suspect, on, verdict))
            spike = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{spike ?? $"step {stats.Step} (batch {batch}): spiked"}; driven by {WorkerBlame.Describe(suspect)}; its part replayed on worker {on}: {ReplayVerdict.Name(verdict)}");
        return stats with
        {
            BatchId = batch, Spike = spike, Action = ladder.Action, RewindTo = ladder.RewindTo, Event = ladder.RewindTo is null ? Guard.TakeEvent() : null,
            Culprit = attribution?.Suspect.Worker, Verdict = attribution?.Verdict ?? Verdict.None,
        };
    }

    /// <summary>Accepts only the last Measure's step, and only once: the sum buffer holds that step's g.</summary>
    void TakeLatest(MeasuredStep measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        if (!ReferenceEquals(measured, _measured))
            throw new InvalidOperationException("only the step this instance measured last, not yet applied, can be applied (the sum buffer holds that step's gradient)");
        _measured = null;
    }
}
