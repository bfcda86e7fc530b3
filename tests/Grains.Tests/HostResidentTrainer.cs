using System.Collections.Concurrent;
using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Grains.Tests;

/// <summary>
/// A stand-in "device" for the parameter server's resident path, on the host: Core's one-worker step
/// (<see cref="WorkerGradient"/> and the <see cref="UpdateRule"/>) on θ and an optimizer state that only it holds, so
/// the parameter server sees them only through <see cref="ReadParameters"/> and <see cref="ReadOptimizer"/>, as it sees
/// a GPU's. The GPU's own trainer (Thresher.Gpu's DeviceTrainer) is tested against the same step in Gpu.Tests.
/// </summary>
sealed class HostResidentTrainer : IResidentTrainer
{
    /// <summary>Every trainer made, by the run's seed (each test gives its runs a seed of their own), oldest first.</summary>
    public static ConcurrentDictionary<string, ConcurrentQueue<HostResidentTrainer>> Made { get; } = new();

    readonly WorkerGradient _worker;
    readonly UpdateRule _rule;
    readonly float[] _theta;  // the "device's" θ
    readonly float[] _grad;
    readonly TrainingOptions _options;

    HostResidentTrainer(TrainingOptions options, DataSplit train, ResidentStart start)
    {
        _options = options;
        _worker = new WorkerGradient(options, train, 1, 0, fixedShards: false, threads: 1);
        _rule = options.CreateUpdateRule(_worker.Layout, options.TotalSteps(_worker.Schedule.StepsPerEpoch));
        var o = start.Optimizer;
        _rule.Optimizer.Restore(o.Velocity, o.ExpAvg, o.ExpAvgSq, o.Steps);
        _theta = (float[])start.Theta.Clone();
        _grad = new float[_theta.Length];
        Step = StartStep = start.NextStep;
    }

    /// <summary>The factory a test silo registers; what it makes is recorded in <see cref="Made"/>.</summary>
    public static ResidentTrainerFactory Factory { get; } = new("host stand-in", (options, train, start) =>
    {
        var trainer = new HostResidentTrainer(options, train, start);
        Made.GetOrAdd(options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => new()).Enqueue(trainer);
        return trainer;
    });

    public string Name => "host stand-in";

    public long Step { get; private set; }

    public long StartStep { get; }

    public bool Disposed { get; private set; }

    /// <summary>The "device's" θ now (a copy), for the tests' own comparison.</summary>
    public float[] Theta => (float[])_theta.Clone();

    public StepStatistics TrainStep()
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        var part = _worker.Compute(Step, _theta, _grad, withLocalNorm: false);
        return _rule.Apply(_theta, _grad, Step++, part.LossSum / part.Samples);
    }

    public void ReadParameters(Span<float> theta) => _theta.CopyTo(theta);

    public double Accuracy(DataSplit test) => Evaluation.Accuracy(new Core.Model.Mlp(_worker.Layout.Config, 100, 1), _theta, test, _options.InputScale);

    public void ReadOptimizer(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var o = _rule.Optimizer;
        optimizer.Restore(o.Velocity, o.ExpAvg, o.ExpAvgSq, o.Steps);
    }

    public void Dispose()
    {
        Disposed = true;
        _worker.Dispose();
    }
}
