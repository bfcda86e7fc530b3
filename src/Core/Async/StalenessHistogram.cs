namespace Thresher.Core.Async;

/// <summary>Pushes counted by their staleness τ: counts[τ] (τ = 0, 1, …; grows as larger τ arrive).</summary>
public sealed class StalenessHistogram
{
    long[] _counts = [];

    public void Add(long staleness)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(staleness);
        if (staleness >= _counts.Length) Array.Resize(ref _counts, (int)staleness + 1);
        _counts[staleness]++;
    }

    public void AddRange(IEnumerable<int> stalenesses)
    {
        ArgumentNullException.ThrowIfNull(stalenesses);
        foreach (int s in stalenesses) Add(s);
    }

    public void Clear() => _counts = [];

    /// <summary>counts[τ]; empty when nothing was counted.</summary>
    public long[] Counts => (long[])_counts.Clone();

    public long Total => _counts.Sum();

    /// <summary>The largest τ counted, or −1 when none.</summary>
    public int Max => _counts.Length - 1;
}
