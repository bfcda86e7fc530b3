using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// A run grain's stored state, its run record: the run's config, state and how many steps of its history (stored
/// in pages, <see cref="RunHistoryStore"/>) are recorded, reaching at least the parameter server's last checkpoint,
/// so a re-activated run grain knows its run. Counters are recomputed from the history. Not a checkpoint (that word
/// is kept for the parameter server's θ and optimizer state, <see cref="ParameterServerCheckpoint"/>); it was named
/// RunRecord before, which changes no stored bytes (Orleans writes no type name for the declared state type).
/// </summary>
[GenerateSerializer]
public sealed class RunRecord
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
    /// <summary>
    /// The fencing token of the activation that owns the run: each activation that starts or resumes the run claims
    /// it by writing the stored generation + 1 and a token of its own (<see cref="RunRecordStore"/>). An activation
    /// that finds a newer claim here on a write conflict is superseded and stands down.
    /// </summary>
    [Id(12)] public long OwnerGeneration { get; set; }
    [Id(13)] public string? OwnerToken { get; set; }
}
