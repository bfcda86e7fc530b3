using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;

namespace Thresher.Grains;

/// <summary>
/// SHA-256 over everything a checkpoint restores (generation, next step, config, θ, velocity, clip policy state), stored beside
/// it: storage that hands back other bytes than were written — a torn write, bit rot, a hand-edited key —
/// is caught before a single corrupted weight is trained on.
/// </summary>
static class CheckpointDigest
{
    public static byte[] Compute(ParameterServerCheckpoint checkpoint)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(header, checkpoint.Generation);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], checkpoint.NextStep);
        hash.AppendData(header);
        hash.AppendData(checkpoint.Config is null ? [] : JsonSerializer.SerializeToUtf8Bytes(checkpoint.Config));
        AppendSized(hash, checkpoint.Parameters);
        AppendSized(hash, checkpoint.Velocity);
        if (checkpoint.ClipState.Length > 0) AppendSized(hash, checkpoint.ClipState); // absent for stateless policies: their digests stay as before
        if (checkpoint.BatchOffset != 0) // only when set: checkpoints of runs that never rewound keep their digest
        {
            Span<byte> offset = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(offset, checkpoint.BatchOffset);
            hash.AppendData(offset);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>Why the checkpoint cannot be used, or null when it is intact.</summary>
    public static string? Problem(ParameterServerCheckpoint checkpoint)
    {
        if (checkpoint.Config is null) return "it holds no run configuration";
        if (checkpoint.Digest.Length == 0) return "it carries no digest";
        var computed = Compute(checkpoint);
        return CryptographicOperations.FixedTimeEquals(computed, checkpoint.Digest) ? null
            : $"its SHA-256 does not match its contents (stored {Convert.ToHexStringLower(checkpoint.Digest)[..12]}…, computed {Convert.ToHexStringLower(computed)[..12]}…)";
    }

    /// <summary>Length first, so moving bytes between θ and velocity changes the digest.</summary>
    static void AppendSized(IncrementalHash hash, byte[] data)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, data.Length);
        hash.AppendData(length);
        hash.AppendData(data);
    }
}
