using System.Globalization;
using System.Text.RegularExpressions;

namespace Thresher.Client.Tests;

/// <summary>`--telemetry console`: OpenTelemetry's ConsoleExporter prints every train.step span with its norms.</summary>
public sealed partial class TelemetryConsoleTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-otel-").FullName;

    public TelemetryConsoleTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Train_with_console_telemetry_prints_each_step_span_with_the_norm_attributes()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            "train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--steps", "6", "--run-id", "otel", "--telemetry", "console");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        var spans = StepSpan().Matches(stdout);
        Assert.Equal(6, spans.Count);
        var rows = File.ReadAllLines(Path.Combine(_work, "runs", "otel", "metrics.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        foreach (Match span in spans)
        {
            string block = span.Value;
            long step = long.Parse(Attribute(block, "thresher.step"), CultureInfo.InvariantCulture);
            double norm = double.Parse(Attribute(block, "thresher.grad.global_norm"), CultureInfo.InvariantCulture);
            Assert.Equal(double.Parse(rows[step][3], CultureInfo.InvariantCulture), norm, 1e-9 * norm);
            Assert.Equal("otel", Attribute(block, "thresher.run.id"));
            foreach (var tensor in new[] { "w1", "b1", "w2", "b2" })
                Assert.Contains($"thresher.grad.norm.{tensor}:", block, StringComparison.Ordinal);
            Assert.Contains("thresher.grad.global_norm_clipped:", block, StringComparison.Ordinal);
            Assert.Contains("thresher.clip.scale:", block, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_submitted_run_shares_one_trace_id_between_the_client_and_the_silo_process()
    {
        await using var silo = await SiloProcess.StartAsync(extraArgs: ["--telemetry", "console"]);
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(2),
            "submit", "--gateway", silo.Gateway, "--cluster-id", "thresher-test", "--data", _data.Directory, "--layers", SyntheticData.Layers,
            "--steps", "3", "--run-id", "traced", "--watch", "--telemetry", "console");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        var submit = Spans(stdout).Where(s => s.Name == "thresher.submit").ToList();
        Assert.True(submit.Count == 1, $"the client printed {submit.Count} thresher.submit spans: {stdout}");
        await Wait.Until(() => Spans(silo.Output).Count(s => s.Name == "train.step") >= 3, TimeSpan.FromSeconds(10),
            "the silo to print the three train.step spans");
        var steps = Spans(silo.Output).Where(s => s.Name == "train.step").ToList();
        Assert.Equal(3, steps.Count);
        Assert.All(steps, s => Assert.Equal(submit[0].TraceId, s.TraceId));
    }

    /// <summary>The ConsoleExporter's activity blocks as (trace id, display name).</summary>
    static List<(string TraceId, string Name)> Spans(string output)
    {
        var spans = new List<(string, string)>();
        foreach (string block in output.Split("Activity.TraceId:").Skip(1))
        {
            string traceId = block.TrimStart().Split(default(char[]), 2)[0];
            var name = Regex.Match(block, @"Activity\.DisplayName:\s+(\S+)");
            if (name.Success) spans.Add((traceId, name.Groups[1].Value));
        }
        return spans;
    }

    static string Attribute(string block, string name)
    {
        var match = Regex.Match(block, $@"{Regex.Escape(name)}: (\S+)");
        Assert.True(match.Success, $"span lacks {name}: {block}");
        return match.Groups[1].Value;
    }

    // One ConsoleExporter activity block whose display name is train.step, up to the next blank line.
    [GeneratedRegex(@"Activity\.DisplayName:\s+train\.step[\s\S]*?(?=\n\s*\n|\z)")]
    private static partial Regex StepSpan();
}
