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

    /// <summary>The threshold the run's clip policy used this step (+∞: none): c for global and per-tensor, ZClip's and AutoClip's adaptive value, AGC's λ.</summary>
    [Id(50)] public double ClipThreshold { get; init; } = double.PositiveInfinity;
    // Explosion response (Ids 80-99), added at the end.

    /// <summary>The data batch the step trained on: the step, unless a rewind moved the data cursor.</summary>
    [Id(80)] public long BatchId { get; init; }

    /// <summary>Why the response ladder judged the step a spike; null when it did not.</summary>
    [Id(81)] public string? Spike { get; init; }

    /// <summary>What the ladder did: none, skip or rewind.</summary>
    [Id(82)] public string Action { get; init; } = "none";

    /// <summary>Set on a rewind's record: the step θ went back to. The run drops its history from there; this record is not kept.</summary>
    [Id(83)] public long? RewindTo { get; init; }

    /// <summary>What the run passed through just before this step (a rewind's description), else null.</summary>
    [Id(84)] public string? Event { get; init; }

    /// <summary>The worker whose part drove the spike (its part was replayed on another worker), else null.</summary>
    [Id(85)] public int? Culprit { get; init; }

    /// <summary>The replay's verdict: data (the batch is the cause), fault (the worker's silo is suspect), or "" when none was made.</summary>
    [Id(86)] public string Verdict { get; init; } = "";

    /// <summary>
    /// Set when this step's fault verdict took its silo to the run's fault limit: what was done ("silo … had 3 faults:
    /// worker 1 moved off it" or "… no other silo to move to: its workers stay"), else null.
    /// </summary>
    [Id(92)] public string? Placement { get; init; }

    /// <summary>The silo the run's workers were moved off at this step (see <see cref="Placement"/>), else null.</summary>
    [Id(93)] public string? MovedOffSilo { get; init; }
    /// <summary>The step's learning rate from the run's schedule (NaN in records read from files that lack it).</summary>
    [Id(30)] public double LearningRate { get; init; } = double.NaN;

    /// <summary>The run's wall seconds when the run grain recorded this step (null in records from files).</summary>
    [Id(31)] public double? WallSeconds { get; init; }

    // Measured communication (Ids 110-119).
    /// <summary>Payload bytes the step moved, by role and direction (null in records from files that lack them).</summary>
    [Id(110)] public CommunicationBytes? Bytes { get; init; }

    // Bounded-staleness asynchronous training (Ids 140-149).
    /// <summary>--sync ssp: the staleness τ (clocks) of each worker's push of this step, by worker index; null in a synchronous run.</summary>
    [Id(140)] public int[]? Staleness { get; init; }
}
