using System.Globalization;
using System.Text;
using Thresher.Abstractions;

namespace Thresher.Client.Output;

/// <summary>
/// The per-step metrics file: header <c>step,epoch,loss,global_norm,clipped_norm,clip_scale,clipped,skipped,
/// norm_w1,norm_b1,…,test_accuracy</c>, one row per step, appended as steps arrive.
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
        => "step,epoch,loss,global_norm,clipped_norm,clip_scale,clipped,skipped,"
           + string.Concat(tensorNames.Select(n => $"norm_{n},")) + "test_accuracy";

    public void Append(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = new StringBuilder();
        row.Append(CultureInfo.InvariantCulture, $"{record.Step},{record.Epoch},{R(record.Loss)},{R(record.GlobalNorm)},{R(record.ClippedNorm)},{R(record.ClipScale)},{(record.Clipped ? 1 : 0)},{(record.Skipped ? 1 : 0)},");
        foreach (double norm in record.TensorNorms) row.Append(R(norm)).Append(',');
        if (record.TestAccuracy is double accuracy) row.Append(R(accuracy));
        _writer.WriteLine(row.ToString());
    }

    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
