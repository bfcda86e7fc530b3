using Thresher.Core.Training;

namespace Thresher.Core.Async;

/// <summary>
/// What one clock of a stale-synchronous run did, once every worker's push of that clock is in: the run's "step" in ssp
/// (W pushes, one per worker, the same global batch a synchronous step trains on).
/// </summary>
/// <param name="Statistics">
/// The clock's statistics. s = 0: the synchronous step's, exactly. s ≥ 1: Loss = Σ loss / Σ rows of its pushes; GlobalNorm,
/// ClippedNorm and TensorNorms = the mean over its pushes of ĝ's (each push's estimate of the mean gradient); ClipScale = the
/// smallest push scale; Clipped / Skipped = any push clipped / skipped; LearningRate = η(c) before the staleness rule.
/// </param>
/// <param name="WorkerNorms">Each worker's local norm (worker order).</param>
/// <param name="Staleness">τ of each worker's push of this clock (worker order).</param>
public sealed record ClockRecord(StepStatistics Statistics, double[] WorkerNorms, int[] Staleness);

/// <summary>What taking one push did.</summary>
/// <param name="Staleness">The push's τ.</param>
/// <param name="Statistics">Its own statistics when applied on its own (s ≥ 1); null at s = 0 (the clock's W pushes are applied together).</param>
/// <param name="Completed">Clocks this push completed, in clock order (at most one).</param>
public sealed record PushOutcome(long Staleness, StepStatistics? Statistics, IReadOnlyList<ClockRecord> Completed);

/// <summary>A worker's read: the clock it computes, the version and θ (a copy: θ changes while it computes) it computes on.</summary>
public sealed record SspRead(int Worker, long Clock, long Version, byte[] Parameters);
