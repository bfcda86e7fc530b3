using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Thresher.Abstractions;
using Thresher.Client.Output;
using Thresher.Client.Watching;
using Thresher.Core.ModelFiles;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Telemetry;

namespace Thresher.Client.Commands;

/// <summary>
/// Submits one run to a cluster and, when asked, follows it to the end: the part `train` and `submit` share.
/// </summary>
sealed class RunSession(IAnsiConsole console, IClusterClient client)
{
    /// <summary>
    /// Checks the options and reads --init-from (θ, and the optimizer's state when the file holds it) before any
    /// cluster work, so bad input fails fast.
    /// </summary>
    public static (RunConfig Config, byte[]? Initial, OptimizerState? InitialOptimizer) Prepare(RunSettings settings)
    {
        var config = settings.ToRunConfig();
        if (settings.InitFrom is not { } path) return (config, null, null);
        if (!File.Exists(path))
            throw new ThresherInputException($"init-from '{path}': no such file");
        var (theta, saved) = ModelFile.LoadWithOptimizer(path, new MlpConfig(config.Layers));
        OptimizerState? optimizer = null;
        if (saved is not null)
        {
            string runs = string.IsNullOrEmpty(config.Optimizer) ? "sgd" : config.Optimizer;
            if (saved.Kind.Name() != runs)
                throw new ThresherInputException($"init-from '{path}': holds {saved.Kind.Name()} optimizer state, but the run's optimizer is {runs} — use --optimizer {saved.Kind.Name()}, or a file saved without --save-optimizer");
            optimizer = new OptimizerState(Bytes(saved.MomentumBuffer), Bytes(saved.ExpAvg), Bytes(saved.ExpAvgSq), saved.Steps);
        }
        return (config, Bytes(theta), optimizer);
    }

    static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();

    public async Task<IRunGrain> StartAsync(string runId, RunConfig config, byte[]? initial, OptimizerState? initialOptimizer = null)
    {
        var run = client.GetGrain<IRunGrain>(runId);
        RunStatus status;
        // The submit span is the root of the run's trace: Orleans carries its context into the run grain,
        // whose train.step spans are its children, in this process or on a remote silo.
        using (var span = TrainingTelemetry.Source.StartActivity(TelemetryNames.SubmitSpan, ActivityKind.Client))
        {
            span?.SetTag(TelemetryNames.RunId, runId);
            status = await run.Start(config, initial, initialOptimizer).ConfigureAwait(false);
        }
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[bold]{runId}[/]: {config} — {status.TotalSteps} steps ({status.StepsPerEpoch} per epoch)");
        return run;
    }

    /// <summary>Follows the run, writes the requested files, prints the result; returns the exit code.</summary>
    public async Task<int> FollowAsync(IRunGrain run, RunConfig config, RunSettings settings, string? metricsPath, string? summaryPath, bool cancelRunOnInterrupt, CancellationToken interrupt)
    {
        var layout = new ParameterLayout(new MlpConfig(config.Layers));
        using var metrics = metricsPath is null ? null : new MetricsCsv(metricsPath, [.. layout.Names]);
        var (status, detached) = await new RunWatcher(console, run).WatchAsync(metrics, cancelRunOnInterrupt, interrupt).ConfigureAwait(false);
        if (detached)
        {
            console.MarkupLineInterpolated($"detached; the run goes on — follow it with [bold]thresher status {status.RunId}[/]");
            return ExitCodes.Success;
        }
        var summary = RunSummary.From(status);
        if (summaryPath is not null) summary.Write(summaryPath);
        if (settings.Save is { } savePath && status.Step > 0)
        {
            var snapshot = await run.GetParameters().ConfigureAwait(false);
            SavedOptimizerState? optimizer = null;
            if (settings.SaveOptimizer)
            {
                var state = await run.GetOptimizerState().ConfigureAwait(false);
                optimizer = new SavedOptimizerState(OptimizerKinds.Parse(string.IsNullOrEmpty(config.Optimizer) ? "sgd" : config.Optimizer),
                    Floats(state.MomentumBuffer), Floats(state.ExpAvg), Floats(state.ExpAvgSq), state.Steps);
            }
            ModelFile.Save(savePath, layout, MemoryMarshal.Cast<byte, float>(snapshot.Parameters.AsSpan()),
                ModelFileMetadata.From(config, status.RunId, snapshot.Step), optimizer);
            console.MarkupLineInterpolated($"model: {Path.GetFullPath(savePath)}");
        }
        PrintResult(status, metrics?.Path, summaryPath);
        return status.State == RunState.Completed ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    static string Milestone(AccuracyMilestone? reached) => reached is { WallSeconds: double s }
        ? string.Create(CultureInfo.InvariantCulture, $"{s:F2} s (step {reached.Step})")
        : reached is null ? "not reached" : $"step {reached.Step}";

    void PrintResult(RunStatus status, string? metricsPath, string? summaryPath)
    {
        var table = new Table().AddColumns("run", "state", "steps", "test accuracy", "final loss", "clipped", "skipped", "wall s", "samples/s");
        table.AddRow(
            status.RunId,
            status.State.ToString().ToLowerInvariant(),
            status.Step.ToString(CultureInfo.InvariantCulture),
            status.TestAccuracy is double a ? a.ToString("P2", CultureInfo.InvariantCulture) : "-",
            status.LastLoss is double l ? l.ToString("G5", CultureInfo.InvariantCulture) : "-",
            status.ClippedSteps.ToString(CultureInfo.InvariantCulture),
            status.SkippedSteps.ToString(CultureInfo.InvariantCulture),
            status.WallSeconds.ToString("F1", CultureInfo.InvariantCulture),
            status.SamplesPerSecond.ToString("F0", CultureInfo.InvariantCulture));
        console.Write(table);
        if (status.Reached97 is not null || status.Reached98 is not null)
            console.MarkupLineInterpolated($"time to 97 % / 98 %: {Milestone(status.Reached97)} / {Milestone(status.Reached98)} (the run's wall time when its first evaluation at or above it was recorded)");
        if (status.Resumes > 0)
            console.MarkupLineInterpolated($"[yellow]resumed {status.Resumes} time(s)[/] after failures; the latest from the checkpoint at step {status.LastResumeStep}");
        if (status.LastResumeWarning is { } warning) console.MarkupLineInterpolated($"[yellow]checkpoint warning:[/] {warning}");
        if (status.Error is { } error) console.MarkupLineInterpolated($"[red]run failed:[/] {error}");
        if (metricsPath is not null) console.MarkupLineInterpolated($"metrics: {metricsPath}");
        if (summaryPath is not null) console.MarkupLineInterpolated($"summary: {Path.GetFullPath(summaryPath)}");
    }
}
