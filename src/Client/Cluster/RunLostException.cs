namespace Thresher.Client.Cluster;

/// <summary>
/// A run the cluster's run list names whose record is gone from checkpoint storage (the storage was emptied or
/// replaced while the silos ran): it can answer nothing but that. Exit 1, as a failed run.
/// </summary>
public sealed class RunLostException(string runId)
    : Exception($"run '{runId}': listed by 'thresher runs', but its record is gone from checkpoint storage (emptied or replaced?); it cannot resume — submit it again (the same --seed gives the same run)");
