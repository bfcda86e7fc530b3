namespace Thresher.Grains;

/// <summary>
/// The runs whose workers this silo hosts (run id → worker activations here that hold their setup): the runs this
/// silo wakes when another silo dies (<see cref="RunWaker"/>). A worker counts from its setup to its deactivation.
/// Thread-safe: workers of different runs activate and deactivate concurrently.
/// </summary>
public sealed class LocalRuns
{
    readonly Dictionary<string, int> _workers = new(StringComparer.Ordinal);

    public void WorkerSetUp(string runId)
    {
        lock (_workers) _workers[runId] = _workers.GetValueOrDefault(runId) + 1;
    }

    public void WorkerGone(string runId)
    {
        lock (_workers)
        {
            int left = _workers.GetValueOrDefault(runId) - 1;
            if (left > 0) _workers[runId] = left;
            else _workers.Remove(runId);
        }
    }

    /// <summary>The run ids with at least one worker here, in order.</summary>
    public IReadOnlyList<string> RunIds
    {
        get { lock (_workers) return [.. _workers.Keys.Order(StringComparer.Ordinal)]; }
    }
}
