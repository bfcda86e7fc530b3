namespace Thresher.Abstractions;

/// <summary>
/// A write to checkpoint storage failed (Redis paused, restarting, unreachable; a write whose outcome is unknown).
/// Transient to a run: the run grain stalls, retries with backoff and reports "stalled: checkpoint storage
/// unavailable since …" until the write succeeds, or fails the run after the silo's storage outage limit.
/// Carried across grain calls as this type, so a caller never needs the storage provider's own exception types.
/// </summary>
[GenerateSerializer]
public sealed class CheckpointStorageException : Exception
{
    public CheckpointStorageException() { }
    public CheckpointStorageException(string message) : base(message) { }
    public CheckpointStorageException(string message, Exception inner) : base(message, inner) { }
}
