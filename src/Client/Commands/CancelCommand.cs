using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Abstractions;

namespace Thresher.Client.Commands;

/// <summary>`thresher cancel RUN`: stop a run after its current step.</summary>
public sealed class CancelCommand(IAnsiConsole console) : AsyncCommand<RunIdSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunIdSettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var cluster = await settings.ConnectAsync(cancellation).ConfigureAwait(false);
        var before = await KnownRun.StatusAsync(cluster.Client, settings.RunId).ConfigureAwait(false);
        if (before.State.IsFinished())
            throw new ThresherInputException($"run '{settings.RunId}' is already {before.State.ToString().ToLowerInvariant()}; nothing to cancel");
        RunStatus after;
        try
        {
            // Through a dying gateway: asked again through another (idempotent: a run already cancelled answers its status).
            after = await Cluster.GatewayFailover.CallAsync(cluster.Client.GetGrain<IRunGrain>(settings.RunId).Cancel, $"run '{settings.RunId}': cancel",
                Cluster.GatewayFailover.CancelTimeout, Cluster.GatewayFailover.Limit, cancellation).ConfigureAwait(false);
        }
        catch (CheckpointStorageException e)
        {
            // Durable cancel: 0 only once stored. The run has stopped and stores its cancellation when storage answers.
            throw new Cluster.ClusterUnreachableException(e.Message, e);
        }
        console.MarkupLineInterpolated($"run {after.RunId}: {after.State.ToString().ToLowerInvariant()} at step {after.Step}");
        return ExitCodes.Success;
    }
}
