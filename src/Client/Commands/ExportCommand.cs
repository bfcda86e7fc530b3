using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;
using Thresher.Core.ModelFiles;
using Thresher.Core.Model;

namespace Thresher.Client.Commands;

/// <summary>`thresher export RUN --out model.safetensors`: save a run's current θ, at any time (running or finished).</summary>
public sealed class ExportCommand(IAnsiConsole console) : AsyncCommand<ExportCommand.Settings>
{
    public sealed class Settings : RunIdSettings
    {
        [CommandOption("--out <FILE>")]
        [Description("Where to write the model (safetensors). Required.")]
        public string? Out { get; init; }

        public override ValidationResult Validate()
            => string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("out: missing; give --out FILE.safetensors") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
        var status = await KnownRun.StatusAsync(cluster.Client, settings.RunId).ConfigureAwait(false);
        var snapshot = await cluster.Client.GetGrain<IRunGrain>(settings.RunId).GetParameters().ConfigureAwait(false);
        var layout = new ParameterLayout(new MlpConfig(snapshot.Layers));
        ModelFile.Save(settings.Out!, layout, MemoryMarshal.Cast<byte, float>(snapshot.Parameters.AsSpan()),
            [new("step", snapshot.Step.ToString(CultureInfo.InvariantCulture)), new("run_id", status.RunId), new("config", status.Config?.ToString() ?? "")]);
        console.MarkupLineInterpolated($"run {status.RunId}: θ at step {snapshot.Step} ({status.State.ToString().ToLowerInvariant()}) written to {Path.GetFullPath(settings.Out!)}");
        return ExitCodes.Success;
    }
}
