using Microsoft.Extensions.Hosting;

namespace Thresher.Client.Cluster;

static class HostShutdown
{
    /// <summary>
    /// Stops and disposes a host within <paramref name="grace"/>. Best effort: the CLI is about to exit, so a
    /// host that does not stop in time is dropped rather than waited for.
    /// </summary>
    public static async ValueTask StopAsync(IHost host, TimeSpan grace)
    {
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: dispose below ends what is left.
        }
        host.Dispose();
    }
}
