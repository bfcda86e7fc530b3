using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;

namespace Thresher.Core.Training;

/// <summary>
/// The single-process trainer: the reference trajectory the cluster reproduces. It is exactly one
/// <see cref="WorkerGradient"/> (worker 0 of 1) plus the parameter server's <see cref="UpdateRule"/>.
/// Not thread-safe; one instance per run.
/// </summary>
public sealed class Trainer
{
    readonly Dataset _data;
    readonly WorkerGradient _worker;
    readonly Mlp _evaluator;
    readonly float[] _gradient; // [P] mean-loss gradient of the current step

    public Trainer(TrainingOptions options, Dataset data, int threads = 1, float[]? initialTheta = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        options.Validate();
        data.Test.ValidateFor(options.Layers.Inputs, options.Layers.Outputs);
        Options = options;
        _data = data;
        _worker = new WorkerGradient(options, data.Train, workers: 1, worker: 0, fixedShards: false, threads);
        _evaluator = new Mlp(options.Layers, 1000, threads);
        Theta = new float[_worker.ParameterCount];
        if (initialTheta is null) Initializer.Initialize(Theta, Layout, options.Init, options.Seed);
        else if (initialTheta.Length != Theta.Length)
            throw new ThresherInputException($"initial parameters have {initialTheta.Length} floats; layers {options.Layers} need {Theta.Length}");
        else initialTheta.AsSpan().CopyTo(Theta);
        _gradient = new float[Theta.Length];
        Update = new UpdateRule(Layout, new SgdOptimizer(options.LearningRate, options.Momentum, Theta.Length), options.Clip, options.NonFinite);
        TotalSteps = options.TotalSteps(Schedule.StepsPerEpoch);
    }

    public TrainingOptions Options { get; }

    public BatchSchedule Schedule => _worker.Schedule;

    public UpdateRule Update { get; }

    public ParameterLayout Layout => _worker.Layout;

    /// <summary>θ, layout order. Mutated by <see cref="TrainStep"/>.</summary>
    public float[] Theta { get; }

    /// <summary>Index of the next step to run.</summary>
    public long Step { get; private set; }

    public long TotalSteps { get; }

    public bool Done => Step >= TotalSteps;

    /// <summary>Runs the next step and returns its statistics.</summary>
    public StepStatistics TrainStep()
    {
        var part = _worker.Compute(Step, Theta, _gradient, withLocalNorm: false); // one worker: its norm is the global norm the update measures
        var stats = Update.Apply(Theta, _gradient, Step, part.LossSum / part.Samples);
        Step++;
        return stats;
    }

    /// <summary>Accuracy of θ on the test set, in [0, 1].</summary>
    public double Evaluate() => Evaluation.Accuracy(_evaluator, Theta, _data.Test, Options.InputScale);
}
