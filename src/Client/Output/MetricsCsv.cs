using System.Globalization;
using System.Text;
using Thresher.Abstractions;

namespace Thresher.Client.Output;

/// <summary>
/// The per-step metrics file: header <c>step,epoch,loss,global_norm,clipped_norm,clip_scale,clipped,skipped,lr,
/// norm_w1,norm_b1,…,test_accuracy</c>, one row per step, appended as steps arrive (lr: the step's learning rate).
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
        => "step,epoch,loss,global_norm,clipped_norm,clip_scale,clipped,skipped,lr,"
           + string.Concat(tensorNames.Select(n => $"norm_{n},")) + "test_accuracy";

    public void Append(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = new StringBuilder();
        row.Append(CultureInfo.InvariantCulture, $"{record.Step},{record.Epoch},{R(record.Loss)},{R(record.GlobalNorm)},{R(record.ClippedNorm)},{R(record.ClipScale)},{(record.Clipped ? 1 : 0)},{(record.Skipped ? 1 : 0)},{R(record.LearningRate)},");
        foreach (double norm in record.TensorNorms) row.Append(R(norm)).Append(',');
        if (record.TestAccuracy is double accuracy) row.Append(R(accuracy));
        _writer.WriteLine(row.ToString());
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a file this class wrote: the tensor names from the header and one record per row (NaN and
    /// ±Infinity as written). Columns the file lacks (worker norms, step time, silos, alerts; lr in files written
    /// before it existed, as NaN) come back empty.
    /// A bad file throws <see cref="ThresherInputException"/> naming the file, line and column.
    /// </summary>
    public static (string[] TensorNames, StepRecord[] Steps) Read(string path)
    {
        if (!File.Exists(path))
            throw new ThresherInputException($"{path}: no such metrics file — 'thresher train' writes runs/<run-id>/metrics.csv");
        var lines = File.ReadAllLines(path);
        string[] header = lines.Length > 0 ? lines[0].Split(',') : [];
        bool hasLr = header.Length > 8 && header[8] == "lr";
        int fixedColumns = hasLr ? 9 : 8; // step … skipped[, lr]
        if (header.Length < fixedColumns + 1 || !lines[0].StartsWith("step,epoch,loss,global_norm,clipped_norm,clip_scale,clipped,skipped,", StringComparison.Ordinal)
            || header[^1] != "test_accuracy" || header[fixedColumns..^1].Any(h => !h.StartsWith("norm_", StringComparison.Ordinal)))
            throw new ThresherInputException($"{path}:1: not a Thresher metrics file; expected the header {Header(["w1", "b1", "…"])}");
        string[] names = [.. header[fixedColumns..^1].Select(h => h["norm_".Length..])];
        var steps = new List<StepRecord>(lines.Length);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
                throw new ThresherInputException($"{path}:{i + 1}: {cells.Length} columns, the header has {header.Length} — the file is damaged or was cut mid-line");
            double Num(int column)
                => double.TryParse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                    ? v
                    : throw new ThresherInputException($"{path}:{i + 1}: {header[column]} '{cells[column]}' is not a number");
            var norms = new double[names.Length];
            for (int t = 0; t < norms.Length; t++) norms[t] = Num(fixedColumns + t);
            steps.Add(new StepRecord(
                Step: (long)Num(0), Epoch: (int)Num(1), Loss: Num(2), GlobalNorm: Num(3), ClippedNorm: Num(4), ClipScale: (float)Num(5),
                Clipped: Num(6) != 0, Skipped: Num(7) != 0, TensorNorms: norms, WorkerNorms: [],
                TestAccuracy: cells[^1].Length == 0 ? null : Num(cells.Length - 1), StepMilliseconds: 0, WorkerSilos: [])
            { LearningRate = hasLr ? Num(8) : double.NaN });
        }
        return (names, [.. steps]);
    }
}
