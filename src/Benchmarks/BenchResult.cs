using System.Globalization;
using System.Text.Json;

namespace Thresher.Benchmarks;

/// <summary>
/// One measurement of `thresher bench`: the median of several timed repetitions after warm-up, with their
/// min and max. Kind is core-step, cluster-step, gemm or clip; Unit is samples/s, GFLOP/s or µs.
/// Threads: kernel threads (per worker for cluster-step); Workers: worker grains (1 outside the cluster).
/// </summary>
public sealed record BenchResult(string Kind, string Name, int Threads, int Batch, int Workers, double Median, double Min, double Max, string Unit, int Reps)
{
    public const string CoreStep = "core-step";
    public const string ClusterStep = "cluster-step";
    public const string Gemm = "gemm";
    public const string Clip = "clip";
    public const string SamplesPerSecond = "samples/s";
    public const string GigaFlops = "GFLOP/s";
    public const string Microseconds = "µs";

    /// <summary>GEMM only: the median as a percentage of the machine's measured FMA peak at this thread count.</summary>
    public double? PercentOfPeak { get; init; }

    /// <summary>From repetition values (at least one).</summary>
    public static BenchResult From(string kind, string name, int threads, int batch, int workers, IReadOnlyList<double> values, string unit)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("a measurement needs at least one repetition", nameof(values));
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        return new BenchResult(kind, name, threads, batch, workers, median, sorted[0], sorted[^1], unit, n);
    }

    /// <summary>One output line, ending in "&lt;median&gt; &lt;unit&gt; (min …, max …)".</summary>
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"{Kind,-12} {Name,-44} {Format(Median)} {Unit} (min {Format(Min)}, max {Format(Max)})") +
        (PercentOfPeak is { } pct ? string.Create(CultureInfo.InvariantCulture, $" = {pct:F0} % of peak") : "");

    string Format(double v) => Unit == SamplesPerSecond
        ? v.ToString("F0", CultureInfo.InvariantCulture)
        : v.ToString("F1", CultureInfo.InvariantCulture);

    internal void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("kind", Kind);
        json.WriteString("name", Name);
        json.WriteNumber("threads", Threads);
        json.WriteNumber("batch", Batch);
        json.WriteNumber("workers", Workers);
        if (Unit == SamplesPerSecond) json.WriteNumber("samples_per_second", Math.Round(Median, 1));
        else json.WriteNull("samples_per_second");
        json.WriteNumber("value", Math.Round(Median, 3));
        json.WriteString("unit", Unit);
        json.WriteNumber("min", Math.Round(Min, 3));
        json.WriteNumber("max", Math.Round(Max, 3));
        json.WriteNumber("reps", Reps);
        if (PercentOfPeak is { } pct) json.WriteNumber("percent_of_peak", Math.Round(pct, 1));
        json.WriteEndObject();
    }

    /// <summary>Writes {"dataset": …, "runtime": …, "machine": {cpu, cores, vector_width, fma_peak_gflops_1t, fma_peak_gflops}, "gemm_tuning": [...], "results": [...], "ratios": [...]} to <paramref name="path"/>.</summary>
    public static void WriteJson(string path, IReadOnlyList<BenchResult> results, IReadOnlyList<BenchRatio> ratios, string dataset, string runtime, MachinePeak machine, IReadOnlyList<string> gemmTuning)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(ratios);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("dataset", dataset);
        json.WriteString("runtime", runtime);
        ArgumentNullException.ThrowIfNull(machine);
        machine.Write(json);
        json.WriteStartArray("gemm_tuning");
        foreach (string line in gemmTuning ?? []) json.WriteStringValue(line);
        json.WriteEndArray();
        json.WriteStartArray("results");
        foreach (var r in results) r.Write(json);
        json.WriteEndArray();
        json.WriteStartArray("ratios");
        foreach (var r in ratios) r.Write(json);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
