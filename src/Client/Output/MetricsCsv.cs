using System.Globalization;
using System.Text;
using Thresher.Abstractions;

namespace Thresher.Client.Output;

/// <summary>
/// The per-step metrics file, one row per kept step, appended as steps arrive. Header:
/// <c>step,epoch,loss,global_norm,clipped_norm,clip_scale,clip_threshold,clipped,skipped,lr,norm_w1,norm_b1,…,
/// test_accuracy,batch_id,spike,action,culprit_worker,verdict,worker_bytes_received,worker_bytes_sent,ps_bytes_received,ps_bytes_sent,
/// ps_remote_bytes_received,ps_remote_bytes_sent,aggregator_bytes_received,aggregator_bytes_sent,aggregator_remote_bytes_received,wall_seconds</c>. clip_threshold is the clip policy's threshold of
/// the step (Infinity: none), so a run's clipping can be audited from this file alone; lr is the step's learning rate; the last five columns are the
/// response ladder's (the data batch id, 1 when the step spiked, none|skip, the culprit worker and the replay's
/// verdict); the last nine are the step's payload bytes by role and direction (the aggregator's 0 unless --aggregate per-silo) (see <see cref="CommunicationBytes"/>); wall_seconds is the run's wall time when the step was recorded (steady
/// throughput = Δstep × batch / Δwall_seconds). A rewind's record is not a row: the steps it undoes are re-run and written again with their batch ids.
/// </summary>
public sealed class MetricsCsv : IDisposable
{
    readonly StreamWriter _writer;

    public MetricsCsv(string path, IReadOnlyList<string> tensorNames)
    {
        ArgumentNullException.ThrowIfNull(tensorNames);
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { } dir) Directory.CreateDirectory(dir);
        _writer = new StreamWriter(Path, append: false, new UTF8Encoding(false));
        _writer.WriteLine(Header(tensorNames));
    }

    public string Path { get; }

    public static string Header(IReadOnlyList<string> tensorNames)
        => Leading + string.Concat(tensorNames.Select(n => $"norm_{n},")) + "test_accuracy" + Trailing;

    const string Leading = "step,epoch,loss,global_norm,clipped_norm,clip_scale,clip_threshold,clipped,skipped,lr,";
    const string Trailing = ",batch_id,spike,action,culprit_worker,verdict," + BytesColumns + ",wall_seconds";

    /// <summary>The step's payload bytes (<see cref="CommunicationBytes"/>), empty when the record has none.</summary>
    internal const string BytesColumns = "worker_bytes_received,worker_bytes_sent,ps_bytes_received,ps_bytes_sent,ps_remote_bytes_received,ps_remote_bytes_sent,"
        + "aggregator_bytes_received,aggregator_bytes_sent,aggregator_remote_bytes_received";

    public void Append(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = new StringBuilder();
        row.Append(CultureInfo.InvariantCulture, $"{record.Step},{record.Epoch},{R(record.Loss)},{R(record.GlobalNorm)},{R(record.ClippedNorm)},{R(record.ClipScale)},{R(record.ClipThreshold)},{(record.Clipped ? 1 : 0)},{(record.Skipped ? 1 : 0)},{R(record.LearningRate)},");
        foreach (double norm in record.TensorNorms) row.Append(R(norm)).Append(',');
        if (record.TestAccuracy is double accuracy) row.Append(R(accuracy));
        row.Append(CultureInfo.InvariantCulture, $",{record.BatchId},{(record.Spike is null ? 0 : 1)},{record.Action},{record.Culprit},{record.Verdict},");
        row.Append(record.Bytes is { } b
            ? string.Create(CultureInfo.InvariantCulture, $"{b.WorkerReceived},{b.WorkerSent},{b.ServerReceived},{b.ServerSent},{b.ServerRemoteReceived},{b.ServerRemoteSent},{b.AggregatorReceived},{b.AggregatorSent},{b.AggregatorRemoteReceived}")
            : ",,,,,,,,");
        row.Append(',').Append(record.WallSeconds is double wall ? R(wall) : "");
        _writer.WriteLine(row.ToString());
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a file this class wrote, by column name, so files of earlier versions (without clip_threshold, lr or the
    /// ladder's columns) read too: the tensor names from the norm_ columns and one record per row (NaN and ±Infinity
    /// as written). Columns the file lacks come back empty (NaN thresholds and rates, the step as batch id). A bad file throws
    /// <see cref="ThresherInputException"/> naming the file, line and column.
    /// </summary>
    public static (string[] TensorNames, StepRecord[] Steps) Read(string path)
    {
        if (!File.Exists(path))
            throw new ThresherInputException($"{path}: no such metrics file — 'thresher train' writes runs/<run-id>/metrics.csv");
        var lines = File.ReadAllLines(path);
        var columns = new MetricsColumns(lines.Length > 0 ? lines[0].Split(',') : []);
        if (!columns.IsValid)
            throw new ThresherInputException($"{path}:1: not a Thresher metrics file; expected the header {Header(["w1", "b1", "…"])}");
        var steps = new List<StepRecord>(lines.Length);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = lines[i].Split(',');
            if (cells.Length != columns.Count)
                throw new ThresherInputException($"{path}:{i + 1}: {cells.Length} columns, the header has {columns.Count} — the file is damaged or was cut mid-line");
            steps.Add(columns.Record(cells, (column, text) => new ThresherInputException($"{path}:{i + 1}: {column} '{text}' is not a number")));
        }
        return (columns.TensorNames, [.. steps]);
    }
}
