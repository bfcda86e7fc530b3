namespace Thresher.Abstractions;

/// <summary>A run as a client sees it. Counts cover the steps taken so far.</summary>
[GenerateSerializer, Immutable]
public sealed record RunStatus
{
    [Id(0)] public required string RunId { get; init; }
    [Id(1)] public RunState State { get; init; }
    [Id(2)] public RunConfig? Config { get; init; }
    /// <summary>Steps completed.</summary>
    [Id(3)] public long Step { get; init; }
    [Id(4)] public long TotalSteps { get; init; }
    [Id(5)] public int StepsPerEpoch { get; init; }
    [Id(6)] public double? LastLoss { get; init; }
    [Id(7)] public double? LastGlobalNorm { get; init; }
    [Id(8)] public double? TestAccuracy { get; init; }
    [Id(9)] public int SkippedSteps { get; init; }
    [Id(10)] public int ClippedSteps { get; init; }
    /// <summary>Why the run failed, when it did.</summary>
    [Id(11)] public string? Error { get; init; }
    [Id(12)] public DateTimeOffset? StartedAt { get; init; }
    [Id(13)] public double WallSeconds { get; init; }
    [Id(14)] public double SamplesPerSecond { get; init; }
    /// <summary>Distinct silo addresses that hosted this run's workers.</summary>
    [Id(15)] public string[] Silos { get; init; } = [];
    /// <summary>Explosion alerts raised so far.</summary>
    [Id(16)] public int AlertCount { get; init; }
    /// <summary>The latest explosion alert, if any.</summary>
    [Id(17)] public GradientAlert? LastAlert { get; init; }
    /// <summary>Times the run went back to its parameter server's last checkpoint after a failure (its silo died).</summary>
    [Id(18)] public int Resumes { get; init; }
    /// <summary>The checkpointed step the latest resume continued from, if any.</summary>
    [Id(19)] public long? LastResumeStep { get; init; }
    /// <summary>Checkpoints a resume passed over (damaged or unreadable) and why; null when none was.</summary>
    [Id(20)] public string? LastResumeWarning { get; init; }
    /// <summary>
    /// Why the run is not stepping although it runs, e.g. "checkpoint storage unavailable since 2026-12-01 15:30:02Z
    /// (12 s; …)"; null when it steps. A stalled run retries with backoff and fails after the silo's storage outage limit.
    /// </summary>
    [Id(21)] public string? Stalled { get; init; }
    // Explosion response (Ids 80-99).
    /// <summary>Steps the response ladder judged spikes (kept steps: a rewind drops those it undoes).</summary>
    [Id(80)] public int Spikes { get; init; }
    /// <summary>Rewinds of θ and optimizer state to an in-memory snapshot (--on-spike rewind).</summary>
    [Id(81)] public int Rewinds { get; init; }
    /// <summary>Silos whose worker's part a replay found faulty (verdict fault), by address.</summary>
    [Id(82)] public string[] SuspectSilos { get; init; } = [];
    /// <summary>Batches a replay found to be a spike's cause (verdict data): the run's skip list, for a later run to omit.</summary>
    [Id(83)] public long[] SkipBatches { get; init; } = [];
    /// <summary>Silos the run's workers were moved off after --fault-limit fault verdicts there, by address.</summary>
    [Id(94)] public string[] AvoidedSilos { get; init; } = [];
    /// <summary>The latest move of workers, or why none was possible (no other silo); null when none happened.</summary>
    [Id(95)] public string? Placement { get; init; }

    /// <summary>The first evaluation at ≥ 97 % test accuracy (step and the run's wall seconds then), or null.</summary>
    [Id(30)] public AccuracyMilestone? Reached97 { get; init; }

    /// <summary>The first evaluation at ≥ 98 % test accuracy, or null.</summary>
    [Id(31)] public AccuracyMilestone? Reached98 { get; init; }

    // Measured communication (Ids 110-119).
    /// <summary>Payload bytes per step by role and direction, the mean over the recorded steps that measured them (null: none did).</summary>
    [Id(110)] public CommunicationBytes? BytesPerStep { get; init; }

    /// <summary>--sync ssp: pushes counted by staleness τ, counts[τ] over the recorded steps; null in a synchronous run.</summary>
    [Id(140)] public long[]? StalenessHistogram { get; init; }
}

/// <summary>
/// When a run first reached a test accuracy: the evaluation's step and the run's wall seconds when that step was
/// recorded (its evaluation included; null for steps recorded before the time was kept).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AccuracyMilestone(
    [property: Id(0)] long Step,
    [property: Id(1)] double? WallSeconds);
