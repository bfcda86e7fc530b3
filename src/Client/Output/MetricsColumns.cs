using System.Globalization;
using Thresher.Abstractions;

namespace Thresher.Client.Output;

/// <summary>
/// A metrics file's header, by name: the columns every version wrote (step … skipped, the norm_ columns,
/// test_accuracy) and the optional ones later versions added (clip_threshold, lr, the ladder's batch_id … verdict, the payload bytes).
/// Turns one row's cells into a <see cref="StepRecord"/>.
/// </summary>
sealed class MetricsColumns
{
    static readonly string[] Required = ["step", "epoch", "loss", "global_norm", "clipped_norm", "clip_scale", "clipped", "skipped", "test_accuracy"];

    readonly string[] _header;
    readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    readonly int[] _normColumns;

    public MetricsColumns(string[] header)
    {
        _header = header;
        for (int i = 0; i < header.Length; i++) _index.TryAdd(header[i], i);
        _normColumns = [.. Enumerable.Range(0, header.Length).Where(i => header[i].StartsWith("norm_", StringComparison.Ordinal))];
        TensorNames = [.. _normColumns.Select(i => header[i]["norm_".Length..])];
        IsValid = header.Length > 0 && header[0] == "step" && _normColumns.Length > 0 && Required.All(_index.ContainsKey);
    }

    public bool IsValid { get; }

    public int Count => _header.Length;

    public string[] TensorNames { get; }

    /// <summary>One row as a record; <paramref name="notANumber"/> makes the error for a cell that is not a number.</summary>
    public StepRecord Record(string[] cells, Func<string, string, Exception> notANumber)
    {
        double Num(string column)
        {
            int i = _index[column];
            return double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw notANumber(column, cells[i]);
        }
        string? Text(string column) => _index.TryGetValue(column, out int i) ? cells[i] : null;
        bool Has(string column) => _index.ContainsKey(column);

        var norms = new double[_normColumns.Length];
        for (int t = 0; t < norms.Length; t++) norms[t] = Num(_header[_normColumns[t]]);
        long step = (long)Num("step");
        return new StepRecord(
            Step: step, Epoch: (int)Num("epoch"), Loss: Num("loss"), GlobalNorm: Num("global_norm"), ClippedNorm: Num("clipped_norm"),
            ClipScale: (float)Num("clip_scale"), Clipped: Num("clipped") != 0, Skipped: Num("skipped") != 0, TensorNorms: norms, WorkerNorms: [],
            TestAccuracy: Text("test_accuracy") is { Length: > 0 } ? Num("test_accuracy") : null, StepMilliseconds: 0, WorkerSilos: [])
        {
            ClipThreshold = Has("clip_threshold") ? Num("clip_threshold") : double.NaN,
            LearningRate = Has("lr") ? Num("lr") : double.NaN,
            BatchId = Has("batch_id") ? (long)Num("batch_id") : step,
            Spike = Has("spike") && Num("spike") != 0 ? "spike" : null,
            Action = Text("action") ?? "none",
            Culprit = Text("culprit_worker") is { Length: > 0 } ? (int)Num("culprit_worker") : null,
            Verdict = Text("verdict") ?? "",
            Bytes = Text("ps_bytes_received") is { Length: > 0 }
                ? new CommunicationBytes((long)Num("worker_bytes_received"), (long)Num("worker_bytes_sent"), (long)Num("ps_bytes_received"),
                    (long)Num("ps_bytes_sent"), (long)Num("ps_remote_bytes_received"), (long)Num("ps_remote_bytes_sent"))
                {
                    AggregatorReceived = Has("aggregator_bytes_received") ? (long)Num("aggregator_bytes_received") : 0,
                    AggregatorSent = Has("aggregator_bytes_sent") ? (long)Num("aggregator_bytes_sent") : 0,
                    AggregatorRemoteReceived = Has("aggregator_remote_bytes_received") ? (long)Num("aggregator_remote_bytes_received") : 0,
                }
                : null,
            WallSeconds = Text("wall_seconds") is { Length: > 0 } ? Num("wall_seconds") : null,
        };
    }
}
