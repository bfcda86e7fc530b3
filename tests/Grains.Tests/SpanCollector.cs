using System.Diagnostics;
using OpenTelemetry;

namespace Thresher.Grains.Tests;

/// <summary>
/// An exporter that keeps finished spans for assertions. Orleans' own spans keep arriving from silo
/// threads while a test reads, so readers get a snapshot taken under the lock, never the live list.
/// </summary>
sealed class SpanCollector : BaseExporter<Activity>
{
    readonly List<Activity> spans = [];

    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (spans)
        {
            foreach (var span in batch) spans.Add(span);
        }
        return ExportResult.Success;
    }

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (spans) return [.. spans];
    }
}
