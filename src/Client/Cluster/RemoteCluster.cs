using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Thresher.Abstractions;
using Thresher.Grains;

namespace Thresher.Client.Cluster;

/// <summary>An Orleans client connected to a running cluster through one silo's gateway.</summary>
public sealed class RemoteCluster : IAsyncDisposable
{
    readonly IHost _host;

    RemoteCluster(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects, or throws <see cref="ClusterUnreachableException"/> naming the gateway.</summary>
    public static async Task<RemoteCluster> ConnectAsync(string gateway, string clusterId, TimeSpan timeout, CancellationToken cancellation,
        TelemetryExporter telemetry = TelemetryExporter.None)
    {
        var endpoint = ParseGateway(gateway);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddThresherTelemetry(telemetry, "thresher-cli");
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Error);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoint);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            client.Services.AddThresherSerialization();
            client.AddActivityPropagation();
        });
        var host = builder.Build();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            await host.StartAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            host.Dispose();
            throw new ClusterUnreachableException(
                $"cannot reach a Thresher cluster at gateway {gateway} (cluster id '{clusterId}'): {e.Message} — is a silo running there ('thresher-silo --gateway-port {endpoint.Port}')?", e);
        }
        return new RemoteCluster(host);
    }

    public static IPEndPoint ParseGateway(string gateway)
    {
        if (string.IsNullOrWhiteSpace(gateway))
            throw new ThresherInputException("gateway: empty; expected HOST:PORT, e.g. 127.0.0.1:30000");
        if (IPEndPoint.TryParse(gateway, out var endpoint) && endpoint.Port > 0) return endpoint;
        int colon = gateway.LastIndexOf(':');
        if (colon > 0 && int.TryParse(gateway.AsSpan(colon + 1), out int port) && port is > 0 and <= 65535)
        {
            string host = gateway[..colon];
            IPAddress[] addresses;
            try
            {
                addresses = Dns.GetHostAddresses(host);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new ClusterUnreachableException($"cannot reach gateway {gateway}: host '{host}' does not resolve ({e.Message})", e);
            }
            if (addresses.Length > 0) return new IPEndPoint(addresses[0], port);
        }
        throw new ThresherInputException($"gateway '{gateway}': expected HOST:PORT, e.g. 127.0.0.1:30000");
    }

    public ValueTask DisposeAsync() => HostShutdown.StopAsync(_host, TimeSpan.FromSeconds(5));
}
