using System.Globalization;
using System.Xml.Linq;
using SkiaSharp;
using Thresher.Abstractions;
using Thresher.Client.Output;
using Thresher.Client.Reports;

namespace Thresher.Client.Tests;

/// <summary>`thresher report`: plots from a metrics CSV and from a run on a cluster, checked by their pixels.</summary>
public sealed class ReportTests : IClassFixture<SyntheticData>, IDisposable
{
    static readonly string[] Names = ["w1", "b1", "w2", "b2"];
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-report-").FullName;

    public ReportTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>60 steps: clipped at 15 for the first 10, a spike at 20, NaN at 30 and ∞ at 31 (skipped), accuracy every 20.</summary>
    static StepRecord[] SyntheticSteps() => [.. Enumerable.Range(0, 60).Select(i =>
    {
        double norm = i switch { 20 => 4000, 30 => double.NaN, 31 => double.PositiveInfinity, _ => 60 * Math.Exp(-i / 4.0) + 1 };
        bool clipped = double.IsFinite(norm) && norm > 15;
        bool skipped = !double.IsFinite(norm);
        double post = skipped ? double.NaN : clipped ? 15 : norm;
        return new StepRecord(i, i / 30, 2.5 * Math.Exp(-i / 20.0), norm, post, skipped ? float.NaN : (float)(post / norm), clipped, skipped,
            [.. Names.Select((_, t) => norm / (t + 1))], [], i % 20 == 19 ? 0.5 + i / 200.0 : null, 1, [])
        {
            ClipThreshold = i < 10 ? double.PositiveInfinity : 15 + i / 7.0,
            Bytes = i % 2 == 0 ? new CommunicationBytes(8 * i, 8 * i + 1, 8 * i + 2, 8 * i + 3, i, i + 1) : null,
            WallSeconds = i % 3 == 0 ? null : 0.25 * i,
        };
    })];

    [Fact]
    public async Task Report_from_a_metrics_csv_draws_norms_markers_loss_and_accuracy_in_png_and_svg()
    {
        string runDir = Directory.CreateDirectory(Path.Combine(_work, "synthetic-run")).FullName;
        string csv = Path.Combine(runDir, "metrics.csv");
        using (var writer = new MetricsCsv(csv, Names))
            foreach (var step in SyntheticSteps()) writer.Append(step);
        AlertsCsv.Write(Path.Combine(runDir, AlertsCsv.FileName),
            [new(20, "spike", 4000, 20, "global norm 4000 is 200× the rolling median 20"), new(30, "nonfinite", double.NaN, double.NaN, "global norm is NaN")]);
        string outDir = Path.Combine(_work, "out");

        var (code, output) = await CliRunner.RunInProcess("report", csv, "--out", outDir);

        Assert.True(code == 0, output);
        Assert.Contains("synthetic-run: 60 steps, 7 clipped, 2 non-finite/skipped, alerts: spike ×1, nonfinite ×1", output, StringComparison.Ordinal);
        Assert.Contains($"report: {outDir}", output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(csv), File.ReadAllBytes(Path.Combine(outDir, "metrics.csv")));
        Assert.Equal(2, AlertsCsv.Read(Path.Combine(outDir, AlertsCsv.FileName)).Length);

        using (var norm = PlotImage.Load(Path.Combine(outDir, "global_norm.png")))
        {
            norm.AssertHasTitle();
            norm.AssertSeries(ReportPlots.PreClip, "pre-clip norm");
            norm.AssertSeries(ReportPlots.PostClip, "post-clip norm");
            norm.AssertSeries(ReportPlots.ClipNorm, "clip norm line", minimum: 100);
            norm.AssertSeries(ReportPlots.NonFinite, "non-finite markers", minimum: 20);
            norm.AssertSeries(ReportPlots.Alert, "alert markers", minimum: 20);
        }
        using (var tensors = PlotImage.Load(Path.Combine(outDir, "tensor_norms.png")))
        {
            tensors.AssertHasTitle();
            tensors.AssertSeries(ReportPlots.Layers[0], "w1/b1");
            tensors.AssertSeries(ReportPlots.Layers[1], "w2/b2");
        }
        using (var loss = PlotImage.Load(Path.Combine(outDir, "loss_accuracy.png")))
        {
            loss.AssertHasTitle();
            loss.AssertSeries(ReportPlots.Loss, "loss");
            loss.AssertSeries(ReportPlots.Accuracy, "test accuracy", minimum: 100);
        }
        foreach (var name in new[] { "global_norm", "tensor_norms", "loss_accuracy" })
            PlotImage.AssertSvgHasPaths(Path.Combine(outDir, name + ".svg"));
    }

    [Fact]
    public async Task Report_of_a_trained_runs_csv_goes_beside_it_by_default()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            "train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5",
            "--steps", "30", "--batch", "32", "--eval-every", "10", "--run-id", "small");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        string csv = Path.Combine(_work, "runs", "small", "metrics.csv");

        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(60), "report", csv);

        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        string report = Path.Combine(_work, "runs", "small", "report");
        Assert.Contains($"report: {report}", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(report, AlertsCsv.FileName)), "a metrics file without alerts.csv has no alert record to copy");
        using var norm = PlotImage.Load(Path.Combine(report, "global_norm.png"));
        norm.AssertSeries(ReportPlots.PreClip, "pre-clip norm");
        norm.AssertAbsent(ReportPlots.NonFinite, "non-finite markers of a healthy run");
        norm.AssertAbsent(ReportPlots.Alert, "alert markers of a run without alerts");
        using var loss = PlotImage.Load(Path.Combine(report, "loss_accuracy.png"));
        loss.AssertSeries(ReportPlots.Accuracy, "test accuracy", minimum: 50);
    }

    [Fact]
    public async Task Report_of_a_run_reads_its_history_from_the_cluster()
    {
        await using var silo = await SiloProcess.StartAsync();
        string[] cluster = ["--gateway", silo.Gateway, "--cluster-id", "thresher-test"];
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            ["submit", .. cluster, "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--lr", "0.5",
             "--steps", "25", "--run-id", "remote", "--watch", "--metrics-out", "remote.csv"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1), ["report", "remote", .. cluster, "--out", "remote-report"]);

        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        string report = Path.Combine(_work, "remote-report");
        Assert.Contains("remote: 25 steps", stdout, StringComparison.Ordinal);
        // The cluster's history and the watcher's metrics file are the same numbers.
        Assert.Equal(File.ReadAllLines(Path.Combine(_work, "remote.csv")), File.ReadAllLines(Path.Combine(report, "metrics.csv")));
        Assert.Equal([AlertsCsv.Header], File.ReadAllLines(Path.Combine(report, AlertsCsv.FileName)).Take(1));
        using var norm = PlotImage.Load(Path.Combine(report, "global_norm.png"));
        norm.AssertSeries(ReportPlots.PreClip, "pre-clip norm");

        (code, _, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(1), ["report", "no-such-run", .. cluster]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("'no-such-run': no such run", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_foreign_csv_is_bad_input_naming_the_file_and_line()
    {
        var (code, stdout, stderr) = await CliRunner.Run("report", Path.Combine(_work, "nothing-here.csv"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("nothing-here.csv: no such metrics file", stderr, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_work, "other.csv"), "a,b,c\n1,2,3\n");
        (code, _, stderr) = await CliRunner.Run("report", Path.Combine(_work, "other.csv"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("other.csv:1: not a Thresher metrics file", stderr, StringComparison.Ordinal);

        string header = MetricsCsv.Header(Names);
        File.WriteAllText(Path.Combine(_work, "cut.csv"), $"{header}\n0,0,1,2,2,1,15,0,0,0.1,1,1,1,1,,0,0,none,,,,,,,,,,,,\n1,0,1,x,2,1,15,0,0,0.1,1,1,1,1,,1,0,none,,,,,,,,,,,,\n");
        (code, _, stderr) = await CliRunner.Run("report", Path.Combine(_work, "cut.csv"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("cut.csv:3: global_norm 'x' is not a number", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_metrics_file_from_before_the_lr_column_still_reads_with_the_rate_unknown()
    {
        string csv = Path.Combine(_work, "old.csv");
        File.WriteAllText(csv, "step,epoch,loss,global_norm,clipped_norm,clip_scale,clipped,skipped,norm_w1,test_accuracy\n0,0,1.5,2,2,1,0,0,2,0.5\n");
        var (names, read) = MetricsCsv.Read(csv);
        Assert.Equal(["w1"], names);
        Assert.Equal((1.5, 0.5), (read[0].Loss, read[0].TestAccuracy));
        Assert.True(double.IsNaN(read[0].LearningRate));
    }

    [Fact]
    public void Metrics_and_alerts_files_read_back_what_was_written_including_nan_and_infinity()
    {
        string csv = Path.Combine(_work, "m.csv");
        var steps = SyntheticSteps();
        using (var writer = new MetricsCsv(csv, Names))
            foreach (var step in steps) writer.Append(step);

        var (names, read) = MetricsCsv.Read(csv);

        Assert.Equal(Names, names);
        Assert.Equal(steps.Length, read.Length);
        for (int i = 0; i < steps.Length; i++)
        {
            Assert.Equal((steps[i].Step, steps[i].Epoch, steps[i].Loss, steps[i].GlobalNorm, steps[i].ClippedNorm, steps[i].ClipScale, steps[i].ClipThreshold, steps[i].Clipped, steps[i].Skipped, steps[i].TestAccuracy),
                (read[i].Step, read[i].Epoch, read[i].Loss, read[i].GlobalNorm, read[i].ClippedNorm, read[i].ClipScale, read[i].ClipThreshold, read[i].Clipped, read[i].Skipped, read[i].TestAccuracy));
            Assert.Equal(steps[i].TensorNorms, read[i].TensorNorms);
            Assert.Equal((steps[i].Bytes, steps[i].WallSeconds), (read[i].Bytes, read[i].WallSeconds));
        }
        Assert.True(double.IsPositiveInfinity(read[31].GlobalNorm));

        string alerts = Path.Combine(_work, AlertsCsv.FileName);
        GradientAlert[] written = [new(3, "threshold", 1e6, 1e5, "norm, with a comma and \"quotes\""), new(4, "nonfinite", double.NaN, double.NaN, "NaN")];
        AlertsCsv.Write(alerts, written);
        var back = AlertsCsv.Read(alerts);
        Assert.Equal(written.Select(a => (a.Step, a.Reason, a.Value, a.Detail)), back.Select(a => (a.Step, a.Reason, a.Value, a.Detail)));
    }
}

/// <summary>A decoded report PNG and checks that its series were drawn (colour counts in the data area, not the legend).</summary>
sealed class PlotImage : IDisposable
{
    readonly SKBitmap _bitmap;
    readonly string _path;

    PlotImage(SKBitmap bitmap, string path)
    {
        _bitmap = bitmap;
        _path = path;
    }

    public static PlotImage Load(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var bitmap = SKBitmap.Decode(path);
        Assert.True(bitmap is not null, $"{path} is not a decodable image");
        Assert.Equal((ReportPlots.Width, ReportPlots.Height), (bitmap.Width, bitmap.Height));
        return new PlotImage(bitmap, path);
    }

    /// <summary>At least <paramref name="minimum"/> pixels of <paramref name="color"/> left of the legend (the right 30%).</summary>
    public void AssertSeries(ScottPlot.Color color, string what, int minimum = 300)
    {
        int count = Count(0, (int)(_bitmap.Width * 0.7), 0, _bitmap.Height, p => Near(p, color));
        Assert.True(count >= minimum, string.Create(CultureInfo.InvariantCulture, $"{_path}: {what} ({color.ToHex()}) has {count} pixels in the data area, expected ≥ {minimum}"));
    }

    /// <summary>Next to no pixels of <paramref name="color"/> anywhere: that series or marker is not drawn.</summary>
    public void AssertAbsent(ScottPlot.Color color, string what)
    {
        int count = Count(0, _bitmap.Width, 0, _bitmap.Height, p => Near(p, color));
        Assert.True(count < 5, string.Create(CultureInfo.InvariantCulture, $"{_path}: {what} ({color.ToHex()}) has {count} pixels, expected none"));
    }

    /// <summary>The title band (top 30 px) holds dark text pixels: a font was found and text was drawn.</summary>
    public void AssertHasTitle()
    {
        int dark = Count(0, _bitmap.Width, 0, 30, p => p.Red < 100 && p.Green < 100 && p.Blue < 100);
        Assert.True(dark > 100, $"{_path}: no title text drawn ({dark} dark pixels) — is a font installed (fonts-dejavu-core)?");
    }

    public static void AssertSvgHasPaths(string path)
    {
        var svg = XDocument.Load(path);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        int paths = svg.Descendants().Count(e => e.Name.LocalName == "path");
        Assert.True(paths > 10, $"{path}: {paths} path elements");
    }

    int Count(int x0, int x1, int y0, int y1, Func<SKColor, bool> match)
    {
        int count = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (match(_bitmap.GetPixel(x, y))) count++;
        return count;
    }

    static bool Near(SKColor p, ScottPlot.Color c)
        => Math.Abs(p.Red - c.R) <= 12 && Math.Abs(p.Green - c.G) <= 12 && Math.Abs(p.Blue - c.B) <= 12;

    public void Dispose() => _bitmap.Dispose();
}
