using Thresher.Core.Data;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Core.Backends;

/// <summary>
/// A training loop whose θ and optimizer state live on a device (the GPU's device-resident trainer): each
/// <see cref="TrainStep"/> is a whole step — gather, forward, backward, global norm, clip_by_global_norm, the
/// optimizer — with nothing on the host but the step's statistics. It runs exactly Core's step for one worker
/// (<see cref="ResidentTraining.Refusal"/> names what it cannot run), so its trajectory is the CPU trainer's to
/// float rounding.
/// Ownership: while a run trains on it, the device owns θ and the optimizer state; the parameter server's host
/// copies are a mirror, refreshed by <see cref="ReadParameters"/> and <see cref="ReadOptimizer"/> whenever they
/// are read (evaluation, export, checkpoint), and a new trainer starts from a mirror (<see cref="ResidentStart"/>).
/// </summary>
public interface IResidentTrainer : IDisposable
{
    /// <summary>What runs the step, for logs ("device loop on cuda: NVIDIA H200 …, GEMMs cublas fp32").</summary>
    string Name { get; }

    /// <summary>Index of the next step.</summary>
    long Step { get; }

    /// <summary>Runs step <see cref="Step"/> and returns its statistics (as Core's update rule reports them).</summary>
    StepStatistics TrainStep();

    /// <summary>Test-set accuracy of θ now, in [0, 1], computed where θ lives (the arg-max rule of Core's evaluator).</summary>
    double Accuracy(DataSplit test);

    /// <summary>θ now, in layout order, into <paramref name="theta"/> (P floats; waits for the device).</summary>
    void ReadParameters(Span<float> theta);

    /// <summary>The optimizer's state now (buffers and applied-update count) into <paramref name="optimizer"/>, of the run's kind and layout.</summary>
    void ReadOptimizer(Optimizer optimizer);
}

/// <summary>Where a resident trainer starts: θ (layout order), the optimizer's state (its buffers and update count) and the next step.</summary>
public sealed record ResidentStart(float[] Theta, Optimizer Optimizer, long NextStep);
