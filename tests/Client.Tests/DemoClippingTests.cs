using System.Text.RegularExpressions;
using Thresher.Client;
using Thresher.Client.Output;
using Thresher.Client.Reports;

namespace Thresher.Client.Tests;

/// <summary>`thresher demo clipping`: every policy's run on a small dataset and on MNIST, audited from its metrics CSV alone.</summary>
public sealed class DemoClippingTests : IClassFixture<SyntheticData>, IDisposable
{
    static readonly string[] Policies = ["none", "global", "per-tensor", "zclip", "autoclip", "agc"];
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-demo-clipping-").FullName;

    public DemoClippingTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task On_a_small_dataset_it_runs_every_policy_and_prints_the_table_and_the_plot()
    {
        string dir = Path.Combine(_work, "out");
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(3),
            "demo", "clipping", "--data", _data.Directory, "--steps", "8", "--out", dir);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Matches(@"│ policy\s+│ test accuracy │\s+clipped │\s+skipped │ max pre-clip │ max post-clip │ first non-finite │ last threshold │ verdict\s+│", stdout);
        foreach (var policy in Policies)
        {
            Assert.Matches($@"│ {Regex.Escape(policy)}\s+│[^\n]*│ (rescued|explodes)\s+│", stdout);
            var (_, steps) = MetricsCsv.Read(Path.Combine(dir, policy, "metrics.csv"));
            Assert.Equal(8, steps.Length);
            Assert.True(File.Exists(Path.Combine(dir, policy, "summary.json")));
            AssertAuditable(policy, steps);
        }
        Assert.Contains($"comparison plot: {Path.Combine(dir, "clipping.png")}", stdout, StringComparison.Ordinal);
        using var plot = PlotImage.Load(Path.Combine(dir, "clipping.png"));
        plot.AssertHasTitle();
        plot.AssertSeries(ClippingPlot.Colors["agc"], "agc's norms and accuracy (drawn last; here the policies' lines may coincide)");
        PlotImage.AssertSvgHasPaths(Path.Combine(dir, "clipping.svg"));
    }

    [DataMnistFact]
    public async Task On_mnist_clipping_rescues_the_exploding_recipe_and_no_clipping_does_not()
    {
        string dir = Path.Combine(_work, "mnist");
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromMinutes(10),
            "demo", "clipping", "--steps", "40", "--policies", "none,global,per-tensor,autoclip", "--out", dir);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Matches(@"│ none\s+│[^\n]*│ explodes\s+│", stdout);
        foreach (var policy in new[] { "global", "per-tensor", "autoclip" })
        {
            Assert.Matches($@"│ {policy}\s+│[^\n]*│ rescued\s+│", stdout);
            var (_, steps) = MetricsCsv.Read(Path.Combine(dir, policy, "metrics.csv"));
            Assert.DoesNotContain(steps, s => s.Skipped);
            Assert.Contains(steps, s => s.Clipped);
            AssertAuditable(policy, steps);
        }
        var (_, none) = MetricsCsv.Read(Path.Combine(dir, "none", "metrics.csv"));
        Assert.Contains(none, s => s.Skipped && !double.IsFinite(s.GlobalNorm));
        using var plot = PlotImage.Load(Path.Combine(dir, "clipping.png"));
        foreach (var policy in new[] { "none", "global", "per-tensor", "autoclip" }) plot.AssertSeries(ClippingPlot.Colors[policy], $"{policy}'s norms");
    }

    [Theory]
    [InlineData("policies 'zclipp': unknown clip policy", "--policies", "global,zclipp")]
    [InlineData("policies 'global,global': a policy is named twice", "--policies", "global,global")]
    [InlineData("steps 0: must be in 1..100000", "--steps", "0")]
    public async Task Bad_options_are_bad_input_before_any_training(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["demo", "clipping", .. options]);
        Assert.True(code == ExitCodes.BadInput, $"exit {code}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("comparison plot", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    /// <summary>What the CSV alone must show: the threshold each applied step used, and a post-clip norm that obeys it.</summary>
    static void AssertAuditable(string policy, Abstractions.StepRecord[] steps)
    {
        foreach (var s in steps.Where(s => !s.Skipped))
        {
            switch (policy)
            {
                case "none":
                    Assert.Equal(double.PositiveInfinity, s.ClipThreshold);
                    Assert.Equal(s.GlobalNorm, s.ClippedNorm);
                    break;
                case "global":
                    Assert.Equal(15, s.ClipThreshold);
                    Assert.Equal(Math.Min(s.GlobalNorm, 15), s.ClippedNorm, 9);
                    break;
                case "per-tensor":
                    Assert.Equal(15, s.ClipThreshold);
                    Assert.True(s.ClippedNorm <= s.GlobalNorm * (1 + 1e-12) && s.ClippedNorm <= 15 * Math.Sqrt(s.TensorNorms.Length) + 1e-9, $"step {s.Step}: post {s.ClippedNorm}, pre {s.GlobalNorm}");
                    break;
                case "zclip" or "autoclip":
                    Assert.Equal(Math.Min(s.GlobalNorm, s.ClipThreshold), s.ClippedNorm, 9);
                    break;
                case "agc":
                    Assert.Equal(0.01, s.ClipThreshold);
                    Assert.True(s.ClippedNorm <= s.GlobalNorm * (1 + 1e-6), $"step {s.Step}: post {s.ClippedNorm}, pre {s.GlobalNorm}");
                    break;
            }
        }
    }
}
