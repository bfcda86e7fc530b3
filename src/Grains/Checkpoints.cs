using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// The grain storage provider that holds the parameter servers' checkpoints, and beside them the run grains'
/// records (<see cref="RunRecord"/>) and history pages: memory storage in the embedded cluster and with localhost
/// clustering (it dies with the silo that holds it), Redis with Redis membership. Its name, "thresher-checkpoints",
/// is in stored keys and deployments: it stays.
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
    /// <summary>The clip policy's state (ZClip's EMAs, AutoClip's history; empty for stateless policies), as ClipPolicy.SaveState wrote it.</summary>
    [Id(6)] public byte[] ClipState { get; set; } = [];
    /// <summary>Counts the checkpoints of the run from 0 (written at initialisation); picks the slot (generation mod 2).</summary>
    [Id(4)] public long Generation { get; set; }
    /// <summary>SHA-256 of the fields above (<see cref="CheckpointDigest"/>).</summary>
    [Id(5)] public byte[] Digest { get; set; } = [];
    /// <summary>Batches the data cursor jumped over in rewinds (the response ladder's); 0 without one. In the digest.</summary>
    [Id(7)] public long BatchOffset { get; set; }
}
