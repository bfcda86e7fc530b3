using Thresher.Core.Training;

namespace Thresher.Core.Sharding;

/// <summary>
/// A sharded step measured: the workers' loss sums, rows and local norms (worker order) and the clip decision
/// from the shards' per-tensor Σ g².
/// </summary>
public sealed record ShardedMeasure(double LossSum, int Samples, double[] WorkerNorms, ClipDecision Decision)
{
    public double MeanLoss => LossSum / Samples;
}

/// <summary>
/// The coordinator's half of a sharded synchronous step (the parameter server grain, which holds no θ): the two-phase
/// global norm and everything with state that is not per element. <see cref="Measure"/> puts the shards' per-tensor Σ g²
/// side by side in shard order — which is layout order, since shards are contiguous and cut at tensor boundaries — and
/// decides exactly as <see cref="PartsUpdate"/> does (n = √Σ_k Σ_k g², added in layout order, in double; the clip
/// policy's decision and state live here). <see cref="Decide"/> runs the response ladder and the non-finite policy and
/// says what every shard applies (null: nothing). <see cref="Finish"/> commits the policy and reports the step's
/// <see cref="StepStatistics"/>, AGC's post-clip norm from the shards' per-layer sums. The rule's optimizer is not used
/// (the shards hold the state; give it length 0). Not thread-safe; one per run.
/// </summary>
public sealed class ShardCoordinator
{
    readonly ShardPlan _plan;

    /// <param name="rule">The run's rule: clip policy, schedule, non-finite policy (its optimizer may be empty).</param>
    public ShardCoordinator(UpdateRule rule, ShardPlan plan, SpikeOptions? spike = null, IEnumerable<long>? omittedBatches = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(plan);
        Rule = rule;
        _plan = plan;
        spike ??= new SpikeOptions();
        if (spike.OnSpike != SpikeAction.None)
            throw new ThresherInputException($"on-spike {SpikeOptions.Name(spike.OnSpike)} with ps-shards {plan.Count}: the response ladder's replay and rewind need the whole gradient and θ on one grain; use --on-spike none or --ps-shards 1");
        Guard = new SpikeGuard(spike, rule, omittedBatches); // no rewind here: the guard never touches the rule's (empty) optimizer
    }

    public UpdateRule Rule { get; }

    /// <summary>The spike rule (judged and reported) and the data cursor: step s trains on batch Guard.BatchOf(s).</summary>
    public SpikeGuard Guard { get; }

    /// <summary>Phase two of the norm: the shards' per-tensor sums (shard order) and the workers' results (worker order).</summary>
    public ShardedMeasure Measure(IReadOnlyList<double[]> shardSums, IReadOnlyList<WorkerGradientResult> workers)
    {
        ArgumentNullException.ThrowIfNull(shardSums);
        ArgumentNullException.ThrowIfNull(workers);
        if (shardSums.Count != _plan.Count) throw new ArgumentException($"{shardSums.Count} shard sums for {_plan.Count} shards", nameof(shardSums));
        if (workers.Count == 0) throw new ArgumentException("no worker results", nameof(workers));
        var sums = new double[_plan.Layout.Slices.Count];
        for (int s = 0; s < _plan.Count; s++)
        {
            var r = _plan.Shards[s];
            if (shardSums[s].Length != r.Tensors) throw new ArgumentException($"shard {s} sent {shardSums[s].Length} sums for its {r.Tensors} tensors", nameof(shardSums));
            shardSums[s].CopyTo(sums, r.FirstTensor);
        }
        double lossSum = 0;
        int samples = 0;
        var workerNorms = new double[workers.Count];
        for (int w = 0; w < workers.Count; w++) // worker order, as SynchronousStep.Measure
        {
            lossSum += workers[w].LossSum;
            samples += workers[w].Samples;
            workerNorms[w] = workers[w].LocalNorm;
        }
        return new ShardedMeasure(lossSum, samples, workerNorms, PartsUpdate.Decide(Rule, sums));
    }

    /// <summary>
    /// The ladder's judgement (reported, never acted on: only --on-spike none is sharded) and the non-finite policy:
    /// what every shard applies, or null when the step is skipped. Abort throws <see cref="NonFiniteGradientException"/>.
    /// </summary>
    public ShardDecision? Decide(long step, ShardedMeasure measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        _ladder = Guard.Decide(step, measured.Decision.GlobalNorm, measured.MeanLoss, []);
        if (!measured.Decision.Finite)
        {
            Rule.NotFinite(step, measured.MeanLoss, measured.Decision); // throws under abort
            return null;
        }
        return new ShardDecision(step, Rule.Schedule.At(step), measured.Decision.Scale, measured.Decision.TensorScales);
    }

    SpikeDecision? _ladder; // the last Decide's

    /// <summary>
    /// The step's statistics once the shards applied <paramref name="applied"/> (null: skipped); <paramref name="layerSums"/>
    /// are the shards' AGC per-layer post-clip sums (shard order; null entries without AGC).
    /// </summary>
    public StepStatistics Finish(long step, ShardedMeasure measured, ShardDecision? applied, IReadOnlyList<double[]?>? layerSums = null)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var ladder = _ladder ?? throw new InvalidOperationException("Finish before Decide");
        _ladder = null;
        long batch = Guard.BatchOf(step);
        StepStatistics stats;
        if (applied is null) stats = Rule.Statistics(step, measured.MeanLoss, measured.Decision, skipped: true);
        else
        {
            var decision = measured.Decision;
            if (Rule.Policy.ScalesUnits)
            {
                double sumOfSquares = 0; // layer order, as AdaptiveGradientClip.ScaleUnits adds them
                foreach (var sums in layerSums ?? throw new ArgumentNullException(nameof(layerSums)))
                    foreach (double layer in sums ?? throw new ArgumentException("a shard sent no AGC sums", nameof(layerSums)))
                        sumOfSquares += layer;
                decision = UpdateRule.UnitsScaled(decision, Math.Sqrt(sumOfSquares));
            }
            Rule.Policy.Commit(decision);
            stats = Rule.Statistics(step, measured.MeanLoss, decision, skipped: false);
        }
        return stats with { BatchId = batch, Spike = ladder.Spike, Action = ladder.Action, Event = Guard.TakeEvent() };
    }
}
