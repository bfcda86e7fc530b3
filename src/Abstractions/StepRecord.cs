namespace Thresher.Abstractions;

/// <summary>One step of a run's history, as the parameter server measured it.</summary>
/// <param name="Step">0-based step index.</param>
/// <param name="Epoch">0-based epoch of the step.</param>
/// <param name="Loss">Mean loss over the global batch, before the update.</param>
/// <param name="GlobalNorm">Pre-clip global gradient norm.</param>
/// <param name="ClippedNorm">Post-clip global gradient norm.</param>
/// <param name="ClipScale">c / max(n, c) (1 when not clipping).</param>
/// <param name="Clipped">The gradient was scaled down.</param>
/// <param name="Skipped">The step was not applied (non-finite gradient).</param>
/// <param name="TensorNorms">Pre-clip norm per tensor, layout order (w1, b1, …).</param>
/// <param name="WorkerNorms">Norm of each worker's own mean gradient, by worker index.</param>
/// <param name="TestAccuracy">Test-set accuracy after this step's update, on evaluation steps.</param>
/// <param name="StepMilliseconds">Wall time of the step at the parameter server.</param>
/// <param name="WorkerSilos">Address of the silo that computed each worker's part, by worker index.</param>
[GenerateSerializer, Immutable]
public sealed record StepRecord(
    [property: Id(0)] long Step,
    [property: Id(1)] int Epoch,
    [property: Id(2)] double Loss,
    [property: Id(3)] double GlobalNorm,
    [property: Id(4)] double ClippedNorm,
    [property: Id(5)] float ClipScale,
    [property: Id(6)] bool Clipped,
    [property: Id(7)] bool Skipped,
    [property: Id(8)] double[] TensorNorms,
    [property: Id(9)] double[] WorkerNorms,
    [property: Id(10)] double? TestAccuracy,
    [property: Id(11)] double StepMilliseconds,
    [property: Id(12)] string[] WorkerSilos)
{
    /// <summary>Explosion alerts this step raised (empty for a quiet step).</summary>
    [Id(13)] public GradientAlert[] Alerts { get; init; } = [];

    /// <summary>The step's learning rate from the run's schedule (NaN in records read from files that lack it).</summary>
    [Id(30)] public double LearningRate { get; init; } = double.NaN;

    /// <summary>The run's wall seconds when the run grain recorded this step (null in records from files).</summary>
    [Id(31)] public double? WallSeconds { get; init; }
}
