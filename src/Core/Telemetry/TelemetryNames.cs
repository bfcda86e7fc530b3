namespace Thresher.Core.Telemetry;

/// <summary>
/// The fixed names of Thresher's spans, attributes, events and instruments (OpenTelemetry). Dashboards and
/// alerts depend on them, so a name is never changed or reused for something else.
/// </summary>
public static class TelemetryNames
{
    /// <summary>ActivitySource and Meter name.</summary>
    public const string Source = "Thresher.Training";

    // Spans
    public const string StepSpan = "train.step";
    public const string WorkerSpan = "worker.gradient";
    public const string ClipSpan = "train.clip";
    public const string UpdateSpan = "train.update";
    public const string EvaluateSpan = "train.evaluate";
    public const string SubmitSpan = "thresher.submit";

    // Attributes
    public const string RunId = "thresher.run.id";
    public const string Step = "thresher.step";
    public const string Loss = "thresher.loss";

    /// <summary>The step's learning rate from the run's schedule (train.step span).</summary>
    public const string LearningRate = "thresher.lr";
    public const string GlobalNorm = "thresher.grad.global_norm";
    public const string GlobalNormClipped = "thresher.grad.global_norm_clipped";
    public const string ClipNorm = "thresher.clip.norm";
    public const string ClipScale = "thresher.clip.scale";
    public const string ClipApplied = "thresher.clip.applied";
    public const string ClipPolicy = "thresher.clip.policy";
    public const string ClipThreshold = "thresher.clip.threshold";
    public const string TensorNormPrefix = "thresher.grad.norm.";
    public const string Workers = "thresher.workers";
    public const string Skipped = "thresher.step.skipped";
    public const string TestAccuracy = "thresher.test.accuracy";
    public const string Worker = "thresher.worker";
    public const string Shard = "thresher.shard";
    public const string BatchSize = "thresher.batch_size";
    public const string LocalNorm = "thresher.grad.local_norm";
    public const string ComputeMilliseconds = "thresher.compute_ms";

    // Event on the step span
    public const string ExplosionEvent = "gradient.explosion";
    public const string ExplosionReason = "reason";
    public const string ExplosionValue = "value";
    public const string ExplosionBaseline = "baseline";

    // The response ladder, on train.step
    public const string BatchId = "thresher.batch_id";
    public const string SpikeAction = "thresher.spike.action";
    public const string SpikeCulprit = "thresher.spike.culprit_worker";
    public const string SpikeVerdict = "thresher.spike.verdict";
    public const string SpikeSuspectSilo = "thresher.spike.suspect_silo";
    /// <summary>The silo a run's workers were moved off at this step (--fault-limit reached).</summary>
    public const string SpikeMovedOffSilo = "thresher.spike.moved_off_silo";

    // Instruments
    public const string GlobalNormHistogram = "thresher.grad.global_norm";
    public const string LastGlobalNormGauge = "thresher.grad.global_norm.last";
    public const string LastClippedNormGauge = "thresher.grad.global_norm_clipped.last";
    public const string LastLossGauge = "thresher.loss.last";
    public const string LastClipThresholdGauge = "thresher.clip.threshold.last";
    public const string StepsCounter = "thresher.steps";
    public const string SkippedStepsCounter = "thresher.steps.skipped";
    public const string ExplosionsCounter = "thresher.explosions";
    public const string SamplesCounter = "thresher.samples";
    public const string SpikesCounter = "thresher.spikes";
    public const string StepDurationHistogram = "thresher.step.duration";
    public const string StorageFailuresCounter = "thresher.storage.failures";
    public const string StalledGauge = "thresher.run.stalled_seconds";

    /// <summary>Payload bytes (θ and gradients) sent and received, tagged <see cref="CommRole"/> and <see cref="CommDirection"/>.</summary>
    public const string CommBytesCounter = "thresher.comm.bytes";
    /// <summary>worker | parameter_server.</summary>
    public const string CommRole = "role";
    /// <summary>received | sent.</summary>
    public const string CommDirection = "direction";
    /// <summary>Parameter server only: local (a worker on its own silo: nothing copied) | remote (crossed to another silo).</summary>
    public const string CommLink = "link";
}
