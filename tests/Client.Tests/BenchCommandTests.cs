using System.Text.Json;
using System.Text.RegularExpressions;

namespace Thresher.Client.Tests;

/// <summary>`thresher bench` on tiny settings: the line format and the JSON shape, never the speed.</summary>
public partial class BenchCommandTests
{
    [GeneratedRegex(@"^(core-step|cluster-step|gemm|clip)\s+\S.* \d+(\.\d)? (samples/s|GFLOP/s|µs) \(min \d+(\.\d)?, max \d+(\.\d)?\)( = \d+ % of peak)?$")]
    private static partial Regex MeasurementLine();

    [GeneratedRegex(@"^ratio\s+cluster/core workers=\d+ batch=\d+ threads=\d+\s+\d+\.\d\d \(cluster \d+ / core \d+ samples/s\)$")]
    private static partial Regex RatioLine();

    [Fact]
    public async Task Quick_json_run_prints_one_line_per_measurement_and_writes_every_kind()
    {
        string json = Path.Combine(Path.GetTempPath(), $"thresher-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output) = await CliRunner.RunInProcess("bench", "--quick", "--synthetic", "--threads", "1", "--batch", "16", "--reps", "2", "--json", json);
            Assert.True(code == ExitCodes.Success, output);
            Assert.Contains("synthetic", output, StringComparison.Ordinal);
            var all = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();
            var lines = all.Where(l => !l.StartsWith("ratio", StringComparison.Ordinal)).ToArray();
            Assert.All(lines, l => Assert.Matches(MeasurementLine(), l));
            Assert.All(lines.Where(l => l.StartsWith("gemm", StringComparison.Ordinal)), l => Assert.EndsWith("% of peak", l, StringComparison.Ordinal));
            Assert.Contains(output.Split('\n'), l => l.StartsWith("# machine: ", StringComparison.Ordinal) && l.Contains("FMA peak", StringComparison.Ordinal));
            var ratioLines = all.Except(lines).ToArray();
            Assert.Equal(3, ratioLines.Length); // one per cluster measurement: workers 1, 2, 4
            Assert.All(ratioLines, l => Assert.Matches(RatioLine(), l));

            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            AssertMachine(doc.RootElement.GetProperty("machine"));
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
            Assert.Equal(lines.Length, results.Length);
            var kinds = results.Select(r => r.GetProperty("kind").GetString()).ToHashSet();
            Assert.Equal(["clip", "cluster-step", "core-step", "gemm"], kinds.Order());
            foreach (var r in results)
            {
                string kind = r.GetProperty("kind").GetString()!;
                Assert.True(r.GetProperty("threads").GetInt32() >= 1);
                Assert.True(r.GetProperty("workers").GetInt32() >= 1);
                Assert.True(r.GetProperty("value").GetDouble() > 0);
                var sps = r.GetProperty("samples_per_second");
                string unit = r.GetProperty("unit").GetString()!;
                if (kind is "core-step" or "cluster-step")
                {
                    Assert.Equal(16, r.GetProperty("batch").GetInt32());
                    Assert.Equal("samples/s", unit);
                    Assert.True(sps.GetDouble() > 0);
                }
                else
                {
                    Assert.Equal(JsonValueKind.Null, sps.ValueKind);
                    Assert.Equal(kind == "gemm" ? "GFLOP/s" : "µs", unit);
                    if (kind == "gemm") Assert.True(r.GetProperty("percent_of_peak").GetDouble() > 0);
                }
            }
            Assert.Equal([1, 2, 4], results.Where(r => r.GetProperty("kind").GetString() == "cluster-step")
                .Select(r => r.GetProperty("workers").GetInt32()));
            // Each ratio's core step ran at the cluster's batch and total threads (measured beside it when --threads left it out).
            var ratios = doc.RootElement.GetProperty("ratios").EnumerateArray().ToArray();
            Assert.Equal([1, 2, 4], ratios.Select(r => r.GetProperty("workers").GetInt32()));
            foreach (var ratio in ratios)
            {
                int threads = ratio.GetProperty("threads").GetInt32();
                Assert.Contains(results, r => r.GetProperty("kind").GetString() == "core-step" && r.GetProperty("threads").GetInt32() == threads);
                Assert.True(ratio.GetProperty("ratio").GetDouble() > 0);
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <summary>The JSON's machine: the CPU named, this machine's core count, a vector width, positive FMA peaks.</summary>
    private static void AssertMachine(JsonElement machine)
    {
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("cpu").GetString()));
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("cores").GetInt32());
        Assert.Contains(machine.GetProperty("vector_width").GetInt32(), new[] { 128, 256, 512 });
        double peak1 = machine.GetProperty("fma_peak_gflops_1t").GetDouble(), peakAll = machine.GetProperty("fma_peak_gflops").GetDouble();
        Assert.True(peak1 > 0 && peakAll > 0, $"peaks {peak1}, {peakAll}");
    }

    [Theory]
    [InlineData("--threads", "0")]
    [InlineData("--batch", "0")]
    [InlineData("--reps", "0")]
    [InlineData("--only", "gpu")]
    public async Task Bad_option_exits_2(string option, string value)
    {
        var (code, _) = await CliRunner.RunInProcess("bench", option, value);
        Assert.Equal(ExitCodes.BadInput, code);
    }
}
