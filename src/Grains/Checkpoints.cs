using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// The grain storage provider that holds checkpoints ("thresher-checkpoints"): memory storage in the embedded
/// cluster and with localhost clustering (it dies with the silo that holds it), Redis with Redis membership.
/// </summary>
public static class CheckpointStorage
{
    public const string Name = "thresher-checkpoints";
}

/// <summary>
/// A parameter server's checkpoint: everything its trajectory depends on after <see cref="NextStep"/> steps.
/// The data cursor and the RNG state are not stored because they are functions of the step: the batch
/// schedule is a pure function of (seed, epoch, step), so the next step is the cursor.
/// </summary>
[GenerateSerializer]
public sealed class ParameterServerCheckpoint
{
    [Id(0)] public RunConfig? Config { get; set; }
    /// <summary>Steps applied to <see cref="Parameters"/>; the step the run goes on with.</summary>
    [Id(1)] public long NextStep { get; set; }
    /// <summary>θ, float32 bytes in layout order.</summary>
    [Id(2)] public byte[] Parameters { get; set; } = [];
    /// <summary>SGD momentum buffer, float32 bytes (empty when momentum is 0).</summary>
    [Id(3)] public byte[] Velocity { get; set; } = [];
    /// <summary>Counts the checkpoints of the run from 0 (written at initialisation); picks the slot (generation mod 2).</summary>
    [Id(4)] public long Generation { get; set; }
    /// <summary>SHA-256 of the fields above (<see cref="CheckpointDigest"/>).</summary>
    [Id(5)] public byte[] Digest { get; set; } = [];
}

/// <summary>
/// A run grain's stored state: the run's config, state and how many steps of its history (stored in pages,
/// <see cref="RunHistoryStore"/>) are recorded, reaching at least the parameter server's last checkpoint, so a
/// re-activated run grain knows its run. Counters are recomputed from the history.
/// </summary>
[GenerateSerializer]
public sealed class RunCheckpoint
{
    [Id(0)] public RunConfig? Config { get; set; }
    [Id(1)] public RunState State { get; set; }
    [Id(2)] public string? Error { get; set; }
    [Id(3)] public long TotalSteps { get; set; }
    [Id(4)] public int StepsPerEpoch { get; set; }
    /// <summary>Steps recorded; the records themselves are in <see cref="RunHistoryStore"/> pages.</summary>
    [Id(11)] public long HistoryCount { get; set; }
    [Id(6)] public DateTimeOffset? StartedAt { get; set; }
    [Id(7)] public double WallSeconds { get; set; }
    [Id(8)] public int Resumes { get; set; }
    [Id(9)] public long? LastResumeStep { get; set; }
    [Id(10)] public string? LastResumeWarning { get; set; }
}
