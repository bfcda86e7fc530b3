using Orleans.Storage;

namespace Thresher.Grains.Tests;

/// <summary>What <see cref="FaultyStorage"/> does to the records of the grains <see cref="Affects"/> selects.</summary>
public sealed class StorageFaults
{
    volatile Func<GrainId, bool> _affects = _ => false;

    /// <summary>Every read, write and clear of an affected record throws (Redis paused or restarting).</summary>
    public volatile bool Down;

    /// <summary>
    /// The next this-many writes of affected records land in storage but throw, and the caller's state keeps its old
    /// ETag: a write whose reply was lost (a timeout while Redis applied it).
    /// </summary>
    public int LandThenThrow;

    /// <summary>Writes (and clears) of affected records that failed so far.</summary>
    public int FailedWrites;

    /// <summary>Which records the faults apply to: those of one run, so other tests on the same cluster are untouched.</summary>
    public Func<GrainId, bool> Affects { get => _affects; set => _affects = value; }

    /// <summary>The records of run <paramref name="runId"/>: its run record, history pages and checkpoint slots.</summary>
    public static Func<GrainId, bool> RunRecords(string runId)
        => id => id.Key.ToString() is { } key && (key == runId || key.StartsWith(runId + "/", StringComparison.Ordinal));

    public void Reset()
    {
        Down = false;
        LandThenThrow = 0;
        Affects = _ => false;
    }
}

/// <summary>An exception of the storage itself, as Redis storage throws when its server does not answer.</summary>
public sealed class StorageDownException(string message) : Exception(message);

/// <summary>
/// Grain storage that injects <see cref="StorageFaults"/> in front of memory storage: an in-process cluster's way to
/// pause or half-fail "Redis" for one run, deterministically.
/// </summary>
public sealed class FaultyStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ThrowIfDown(grainId, write: false);
        return inner.ReadStateAsync(stateName, grainId, grainState);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ThrowIfDown(grainId, write: true);
        if (faults.Affects(grainId) && Interlocked.Decrement(ref faults.LandThenThrow) >= 0)
        {
            string? etag = grainState.ETag;
            bool existed = grainState.RecordExists;
            await inner.WriteStateAsync(stateName, grainId, grainState);
            (grainState.ETag, grainState.RecordExists) = (etag, existed); // the reply, with the new ETag, was lost
            Interlocked.Increment(ref faults.FailedWrites);
            throw new StorageDownException($"write of {grainId} timed out (it landed)");
        }
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ThrowIfDown(grainId, write: true);
        return inner.ClearStateAsync(stateName, grainId, grainState);
    }

    void ThrowIfDown(GrainId grainId, bool write)
    {
        if (!faults.Down || !faults.Affects(grainId)) return;
        if (write) Interlocked.Increment(ref faults.FailedWrites);
        throw new StorageDownException($"storage unavailable ({grainId})");
    }
}
