using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Thresher.Client.Tests;

/// <summary>
/// The runtime's allocation sampling, listened to in process: about every 100 KB a thread allocates, the runtime names
/// the type of the object that crossed the mark (GCAllocationTick). Counted by type, the samples say where a process's
/// allocations go without a profiler; a type with n samples accounts for roughly n × 100 KB.
/// </summary>
sealed class AllocationSampler : EventListener
{
    const EventKeywords GcKeyword = (EventKeywords)0x1;
    readonly ConcurrentDictionary<string, int> _samples = new(StringComparer.Ordinal);
    volatile bool _counting;

    /// <summary>Counts samples from now on (the listener may have delivered some before).</summary>
    public void Start() => _counting = true;

    public void Stop() => _counting = false;

    /// <summary>The types sampled most, with their sample counts.</summary>
    public IReadOnlyList<(string Type, int Samples)> Top(int count)
        => [.. _samples.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(count).Select(p => (p.Key, p.Value))];

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_counting || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null) return;
        int index = e.PayloadNames.IndexOf("TypeName");
        if (index >= 0 && e.Payload?[index] is string type) _samples.AddOrUpdate(type, 1, (_, n) => n + 1);
    }
}
