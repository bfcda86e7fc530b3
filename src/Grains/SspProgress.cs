using Thresher.Abstractions;
using Thresher.Core.Async;

namespace Thresher.Grains;

/// <summary>
/// A --sync ssp run's state at its parameter server, besides Core's <see cref="StaleSynchronousServer"/>: how far the workers may
/// run (the run grain's steps asked for, the run's end, checkpoint barriers), the clocks completed and not yet handed to the
/// run grain, a failure to report, and the signal its waiters wait on. Plain and single-threaded: the grain's turns drive it.
/// </summary>
sealed class SspProgress(StaleSynchronousServer server, long totalSteps, Func<long, bool> checkpointsAt)
{
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StaleSynchronousServer Server { get; } = server;

    /// <summary>The highest step the run grain has asked for (−1: none yet).</summary>
    public long Requested { get; set; } = server.Clocks.Version - 1;

    /// <summary>Completed clocks not yet handed out, with their silos, bytes and wall time.</summary>
    public SortedDictionary<long, CompletedClock> Completed { get; } = [];

    /// <summary>The first failure of a push since the last step asked for (the run grain retries or fails on it).</summary>
    public Exception? Fault { get; set; }

    /// <summary>Each worker's silo, from its latest push.</summary>
    public string[] Silos { get; } = Enumerable.Repeat("", server.Clocks.Workers).ToArray();

    /// <summary>Payload bytes of the pushes taken since the last clock completed.</summary>
    public CommunicationBytes Bytes { get; set; } = CommunicationBytes.Zero;

    /// <summary>When the last clock completed (or the run's state was built).</summary>
    public long LastCompleted { get; set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>
    /// The clock no worker may start yet: the run's end; s + 1 clocks past the step asked for (a cancelled run stops within
    /// s + 1 clocks); and the next checkpoint step past it, a barrier (every worker pushes the clocks before it, then waits
    /// until the run grain has checkpointed there and asked for it), so a checkpoint is θ at one version with every clock equal.
    /// </summary>
    public long Limit
    {
        get
        {
            long limit = Math.Min(totalSteps, Requested + Server.Clocks.Staleness + 1);
            for (long t = Requested + 1; t < limit; t++)
                if (checkpointsAt(t)) return t;
            return limit;
        }
    }

    /// <summary>Wakes every waiter (a push landed or failed).</summary>
    public void Signal() => Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next <see cref="Signal"/>.</summary>
    public Task Changed => _changed.Task;
}

/// <summary>A clock every worker has pushed: Core's record, the workers' silos, the bytes and the wall time since the previous.</summary>
sealed record CompletedClock(ClockRecord Record, string[] Silos, CommunicationBytes Bytes, double Milliseconds);
