using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Thresher.Abstractions;
using Thresher.Client.Output;
using Thresher.Client.Watching;
using Thresher.Core.ModelFiles;
using Thresher.Core.Model;
using Thresher.Core.Telemetry;

namespace Thresher.Client.Commands;

/// <summary>
/// Submits one run to a cluster and, when asked, follows it to the end: the part `train` and `submit` share.
/// </summary>
sealed class RunSession(IAnsiConsole console, IClusterClient client)
{
    /// <summary>Checks the options and reads --init-from before any cluster work, so bad input fails fast.</summary>
    public static (RunConfig Config, byte[]? Initial) Prepare(RunSettings settings)
    {
        var config = settings.ToRunConfig();
        byte[]? initial = null;
        if (settings.InitFrom is { } path)
        {
            if (!File.Exists(path))
                throw new ThresherInputException($"init-from '{path}': no such file");
            var theta = ModelFile.Load(path, new MlpConfig(config.Layers));
            initial = MemoryMarshal.AsBytes(theta.AsSpan()).ToArray();
        }
        return (config, initial);
    }

    public async Task<IRunGrain> StartAsync(string runId, RunConfig config, byte[]? initial)
    {
        var run = client.GetGrain<IRunGrain>(runId);
        RunStatus status;
        // The submit span is the root of the run's trace: Orleans carries its context into the run grain,
        // whose train.step spans are its children, in this process or on a remote silo.
        using (var span = TrainingTelemetry.Source.StartActivity(TelemetryNames.SubmitSpan, ActivityKind.Client))
        {
            span?.SetTag(TelemetryNames.RunId, runId);
            status = await run.Start(config, initial).ConfigureAwait(false);
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
            ModelFile.Save(savePath, layout, MemoryMarshal.Cast<byte, float>(snapshot.Parameters.AsSpan()),
                ModelFileMetadata.From(config, status.RunId, snapshot.Step));
            console.MarkupLineInterpolated($"model: {Path.GetFullPath(savePath)}");
        }
        PrintResult(status, metrics?.Path, summaryPath);
        return status.State == RunState.Completed ? ExitCodes.Success : ExitCodes.RunFailed;
    }

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
        if (status.Resumes > 0)
            console.MarkupLineInterpolated($"[yellow]resumed {status.Resumes} time(s)[/] after failures; the latest from the checkpoint at step {status.LastResumeStep}");
        if (status.LastResumeWarning is { } warning) console.MarkupLineInterpolated($"[yellow]checkpoint warning:[/] {warning}");
        if (status.Error is { } error) console.MarkupLineInterpolated($"[red]run failed:[/] {error}");
        if (metricsPath is not null) console.MarkupLineInterpolated($"metrics: {metricsPath}");
        if (summaryPath is not null) console.MarkupLineInterpolated($"summary: {Path.GetFullPath(summaryPath)}");
    }
}
