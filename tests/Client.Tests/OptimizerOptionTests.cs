using System.Globalization;
using System.Runtime.InteropServices;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Client.Tests;

/// <summary>The optimizer and schedule options through the real executable: bad input, the lr column, and --save-optimizer.</summary>
public sealed class OptimizerOptionTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-optim-").FullName;

    public OptimizerOptionTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    [InlineData("optimizer 'lion': unknown; expected one of sgd, adam, adamw", "--optimizer", "lion")]
    [InlineData("lr-schedule 'linear': unknown; expected one of constant, cosine, onecycle, step", "--lr-schedule", "linear")]
    [InlineData("beta1 1: must be in [0, 1)", "--optimizer", "adam", "--beta1", "1")]
    [InlineData("beta2 -0.5: must be in [0, 1)", "--optimizer", "adamw", "--beta2", "-0.5")]
    [InlineData("eps NaN: must be a finite number > 0", "--optimizer", "adam", "--eps", "NaN")]
    [InlineData("weight-decay -0.01: must be a finite number ≥ 0", "--weight-decay", "-0.01")]
    [InlineData("dampening 1.5: must be in [0, 1]", "--momentum", "0.9", "--dampening", "1.5")]
    [InlineData("nesterov: needs --momentum > 0 and --dampening 0", "--nesterov")]
    [InlineData("warmup-steps -3: must be ≥ 0", "--warmup-steps", "-3")]
    [InlineData("min-lr 1: must be in [0, lr = 0.1]", "--lr-schedule", "cosine", "--min-lr", "1")]
    [InlineData("gamma NaN: must be a finite number > 0", "--lr-schedule", "step", "--gamma", "NaN")]
    [InlineData("pct-start 0: must be in (0, 1)", "--lr-schedule", "onecycle", "--pct-start", "0")]
    [InlineData("beta1 0.95: only for --optimizer adam or adamw (the optimizer is sgd)", "--beta1", "0.95")]
    [InlineData("momentum 0.9: only for --optimizer sgd (the optimizer is adamw)", "--optimizer", "adamw", "--momentum", "0.9")]
    [InlineData("pct-start 0.25: only for --lr-schedule onecycle (the schedule is constant)", "--pct-start", "0.25")]
    [InlineData("min-lr 0.001: only for --lr-schedule cosine (the schedule is step)", "--lr-schedule", "step", "--min-lr", "0.001")]
    [InlineData("warmup-steps 10: only for --lr-schedule constant, cosine or step", "--lr-schedule", "onecycle", "--warmup-steps", "10")]
    [InlineData("save-optimizer: needs --save FILE", "--save-optimizer")]
    public async Task Bad_optimizer_and_schedule_options_are_one_line_and_exit_2(string message, params string[] options)
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, .. options]);
        Assert.True(code == 2, $"exit {code} for {string.Join(' ', options)}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
    }

    string[] Args(params string[] extra)
        => ["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--no-shuffle", "--workers", "1", .. extra];

    [Fact]
    public async Task The_metrics_carry_each_steps_rate_from_the_onecycle_schedule()
    {
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args("--optimizer", "adamw", "--lr", "0.01", "--lr-schedule", "onecycle", "--steps", "10", "--run-id", "cycle"));
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        var lines = File.ReadAllLines(Path.Combine(_work, "runs", "cycle", "metrics.csv"));
        int lr = Array.IndexOf(lines[0].Split(','), "lr");
        var rates = lines.Skip(1).Select(l => double.Parse(l.Split(',')[lr], CultureInfo.InvariantCulture)).ToArray();
        var schedule = new LearningRateSchedule(new ScheduleOptions { Kind = ScheduleKind.OneCycle }, 0.01f, 10);
        Assert.Equal(Enumerable.Range(0, 10).Select(s => schedule.At(s)), rates);
        Assert.Equal(4e-4, rates[0], 15);   // lr / div-factor 25
        Assert.Equal(0.01, rates.Max(), 15);
    }

    [Fact]
    public async Task Init_from_a_file_saved_with_the_optimizer_goes_on_with_its_moments()
    {
        string[] adam = ["--optimizer", "adam", "--lr", "0.01"];
        var (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args([.. adam, "--steps", "4", "--run-id", "first", "--save", "first.safetensors", "--save-optimizer"]));
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args([.. adam, "--steps", "3", "--run-id", "second", "--init-from", "first.safetensors"]));
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        var (theta, saved) = ModelFile.LoadWithOptimizer(Path.Combine(_work, "first.safetensors"), MlpConfig.Parse(SyntheticData.Layers));
        Assert.NotNull(saved);
        Assert.Equal((OptimizerKind.Adam, 4L), (saved.Kind, saved.Steps));
        var options = new TrainingOptions
        {
            Layers = MlpConfig.Parse(SyntheticData.Layers), Init = InitKind.He, LearningRate = 0.01f, Steps = 3, Shuffle = false,
            Optimizer = OptimizerOptions.For(OptimizerKind.Adam),
        };
        var resumed = new Trainer(options, DatasetCatalog.Load(_data.Directory), initialTheta: theta);
        resumed.Update.Optimizer.Restore([], Bytes(saved.ExpAvg), Bytes(saved.ExpAvgSq), saved.Steps);
        var fresh = new Trainer(options, DatasetCatalog.Load(_data.Directory), initialTheta: theta);
        var rows = File.ReadAllLines(Path.Combine(_work, "runs", "second", "metrics.csv")).Skip(1).ToArray();
        for (int step = 0; step < 3; step++)
        {
            double expected = resumed.TrainStep().Loss, other = fresh.TrainStep().Loss;
            double actual = double.Parse(rows[step].Split(',')[2], CultureInfo.InvariantCulture);
            Assert.Equal(expected, actual);
            if (step > 0) Assert.NotEqual(other, actual); // a fresh Adam would have taken another step
        }

        (code, _, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120),
            Args("--optimizer", "sgd", "--steps", "1", "--init-from", "first.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("holds adam optimizer state, but the run's optimizer is sgd", stderr, StringComparison.Ordinal);
    }

    static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
