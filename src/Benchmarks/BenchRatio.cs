using System.Globalization;
using System.Text.Json;

namespace Thresher.Benchmarks;

/// <summary>
/// A cluster-step measurement over the core-step one at the same global batch and total kernel threads: what the
/// embedded cluster (workers, grain calls, the parameter server's sum and update) keeps of one process's step.
/// </summary>
public sealed record BenchRatio(BenchResult Cluster, BenchResult Core)
{
    public const string Kind = "ratio";

    /// <summary>Cluster samples/s ÷ core samples/s (medians).</summary>
    public double Value => Cluster.Median / Core.Median;

    /// <summary>One output line: "ratio  cluster/core workers=W batch=B threads=T  0.91 (cluster … / core … samples/s)".</summary>
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind,-12} {$"cluster/core workers={Cluster.Workers} batch={Cluster.Batch} threads={Core.Threads}",-44} {Value:F2} (cluster {Cluster.Median:F0} / core {Core.Median:F0} samples/s)");

    internal void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("batch", Cluster.Batch);
        json.WriteNumber("workers", Cluster.Workers);
        json.WriteNumber("threads", Core.Threads);
        json.WriteNumber("cluster_samples_per_second", Math.Round(Cluster.Median, 1));
        json.WriteNumber("core_samples_per_second", Math.Round(Core.Median, 1));
        json.WriteNumber("ratio", Math.Round(Value, 4));
        json.WriteEndObject();
    }
}
