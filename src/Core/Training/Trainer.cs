using System.Runtime.InteropServices;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;

namespace Thresher.Core.Training;

/// <summary>
/// The single-process trainer: the reference trajectory the cluster reproduces. It is W <see cref="WorkerGradient"/>s
/// (worker w of W, the batch split as the cluster splits it, run one after another) plus the parameter server's
/// <see cref="SynchronousStep"/>, the same types the cluster's grains run. W = 1 (the default) is one worker
/// whose part is the whole mean gradient. Not thread-safe; one instance per run.
/// </summary>
public sealed class Trainer
{
    readonly Dataset _data;
    readonly WorkerGradient[] _workers;  // [W], worker order
    readonly WorkerPart[] _parts;        // [W]: each worker's g_w (float32 bytes, P floats) and its result, this step
    readonly SynchronousStep _step;
    readonly Mlp _evaluator;
    readonly bool _attributes; // the ladder is on and W ≥ 2: workers measure local norms, spikes are replayed
    byte[] _replay;            // [P] float32: a replayed part, swapped with the suspect's buffer on a fault

    /// <param name="threads">Kernel threads of each worker and of the evaluation (the workers run one after another).</param>
    /// <param name="initialTheta">θ₀ (layout order), or null for the options' initialiser and seed.</param>
    /// <param name="workers">W ≥ 1: how many workers' parts make a step (batch-split shards, as in the cluster).</param>
    public Trainer(TrainingOptions options, Dataset data, int threads = 1, float[]? initialTheta = null, int workers = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        options.Validate();
        data.Test.ValidateFor(options.Layers.Inputs, options.Layers.Outputs);
        Options = options;
        _data = data;
        _workers = [.. Enumerable.Range(0, workers).Select(w => new WorkerGradient(options, data.Train, workers, w, fixedShards: false, threads))];
        _evaluator = new Mlp(options.Layers, 1000, threads);
        Theta = new float[Layout.TotalLength];
        if (initialTheta is null) Initializer.Initialize(Theta, Layout, options.Init, options.Seed);
        else if (initialTheta.Length != Theta.Length)
            throw new ThresherInputException($"initial parameters have {initialTheta.Length} floats; layers {options.Layers} need {Theta.Length}");
        else initialTheta.AsSpan().CopyTo(Theta);
        _parts = [.. _workers.Select(_ => new WorkerPart(new byte[Theta.Length * sizeof(float)], default))];
        // The update's norms and SGD on the workers' kernel threads: the step's bits do not depend on it, only its time.
        _step = new SynchronousStep(new UpdateRule(Layout, new SgdOptimizer(options.LearningRate, options.Momentum, Theta.Length), options.Clip, options.NonFinite, options.ClipPolicy), threads,
            options.Spike, options.OmitBatches);
        TotalSteps = options.TotalSteps(Schedule.StepsPerEpoch);
        _attributes = workers > 1 && options.Spike.OnSpike != SpikeAction.None;
        _replay = _attributes ? new byte[Theta.Length * sizeof(float)] : [];
    }

    public TrainingOptions Options { get; }

    /// <summary>W: the workers whose parts make a step.</summary>
    public int Workers => _workers.Length;

    /// <summary>The batch plan all the workers share.</summary>
    public BatchSchedule Schedule => _workers[0].Schedule;

    public UpdateRule Update => _step.Rule;

    public ParameterLayout Layout => _workers[0].Layout;

    /// <summary>θ, layout order. Mutated in place by <see cref="TrainStep"/>.</summary>
    public float[] Theta { get; }

    /// <summary>Index of the next step to run.</summary>
    public long Step { get; private set; }

    public long TotalSteps { get; }

    public bool Done => Step >= TotalSteps;

    /// <summary>The response ladder and data cursor of the run (its rewinds, snapshot memory, batch of a step).</summary>
    public SpikeGuard Guard => _step.Guard;

    /// <summary>
    /// Runs the next step and returns its statistics. A rewind (<see cref="StepStatistics.RewindTo"/>) sets
    /// <see cref="Step"/> back to the snapshot's step; the data cursor has moved past the skipped batches.
    /// </summary>
    public StepStatistics TrainStep()
    {
        long batch = _step.Guard.BatchOf(Step);
        for (int w = 0; w < _workers.Length; w++)
        {
            var gradient = MemoryMarshal.Cast<byte, float>(_parts[w].Gradient.AsSpan());
            // Local norms only for the ladder's attribution (W ≥ 2, ladder on); for W = 1 it would be the global norm.
            _parts[w] = _parts[w] with { Result = _workers[w].Compute(batch, Theta, gradient, withLocalNorm: _attributes) };
        }
        var measured = _step.Measure(_parts);
        if (_step.Suspect(measured) is { } suspect) measured = Replay(suspect, batch);
        var stats = _step.Apply(Theta, measured, Step);
        Step = stats.RewindTo ?? Step + 1;
        return stats;
    }

    /// <summary>
    /// The spike's suspect part recomputed by the next worker from the same θ and rows: the same gradient convicts the
    /// data; a different one the worker, whose part is then replaced by the replay and the step measured again.
    /// </summary>
    MeasuredStep Replay(WorkerSuspicion suspect, long batch)
    {
        int w = suspect.Worker, other = (w + 1) % _workers.Length;
        var replayed = _workers[other].Compute(batch, Theta, MemoryMarshal.Cast<byte, float>(_replay.AsSpan()), withLocalNorm: true, part: w);
        var verdict = ReplayVerdict.Compare(MemoryMarshal.Cast<byte, float>(_parts[w].Gradient.AsSpan()), MemoryMarshal.Cast<byte, float>(_replay.AsSpan()));
        if (verdict == Verdict.Fault)
            (_parts[w], _replay) = (new WorkerPart(_replay, replayed), _parts[w].Gradient); // swap buffers: nothing is copied
        _step.Convict(Step, suspect, other, verdict);
        return _step.Measure(_parts); // again: the sum buffer must hold the parts applied (the replay's, on a fault)
    }

    /// <summary>Whether a run evaluates on the test set after step <paramref name="step"/> (see <see cref="TrainingCadence"/>).</summary>
    public bool EvaluatesAfter(long step) => TrainingCadence.EvaluatesAfter(step, Schedule.StepsPerEpoch, TotalSteps, Options.EvalEvery);

    /// <summary>Accuracy of θ on the test set, in [0, 1].</summary>
    public double Evaluate() => Evaluation.Accuracy(_evaluator, Theta, _data.Test, Options.InputScale);
}
