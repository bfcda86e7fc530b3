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
        TotalSteps = options.TotalSteps(Schedule.StepsPerEpoch);
        // The update's norms and optimizer on the workers' kernel threads: the step's bits do not depend on it, only its time.
        _step = new SynchronousStep(options.CreateUpdateRule(Layout, TotalSteps), threads);
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

    /// <summary>Runs the next step and returns its statistics.</summary>
    public StepStatistics TrainStep()
    {
        for (int w = 0; w < _workers.Length; w++)
        {
            var gradient = MemoryMarshal.Cast<byte, float>(_parts[w].Gradient.AsSpan());
            // No local norms: the trainer reports none, and for W = 1 it would be the global norm the step measures.
            _parts[w] = _parts[w] with { Result = _workers[w].Compute(Step, Theta, gradient, withLocalNorm: false) };
        }
        var stats = _step.Apply(Theta, _step.Measure(_parts), Step);
        Step++;
        return stats;
    }

    /// <summary>Whether a run evaluates on the test set after step <paramref name="step"/> (see <see cref="TrainingCadence"/>).</summary>
    public bool EvaluatesAfter(long step) => TrainingCadence.EvaluatesAfter(step, Schedule.StepsPerEpoch, TotalSteps, Options.EvalEvery);

    /// <summary>Accuracy of θ on the test set, in [0, 1].</summary>
    public double Evaluate() => Evaluation.Accuracy(_evaluator, Theta, _data.Test, Options.InputScale);
}
