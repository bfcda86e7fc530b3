using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Thresher.Abstractions;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Cluster;

/// <summary>An Orleans client connected to a running cluster through one silo's gateway.</summary>
public sealed class RemoteCluster : IAsyncDisposable
{
    readonly IHost _host;

    RemoteCluster(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>
    /// Connects through <paramref name="gateways"/> (HOST:PORT, comma-separated: the client uses any that answers and
    /// fails over to the others), or throws <see cref="ClusterUnreachableException"/> naming them.
    /// </summary>
    public static async Task<RemoteCluster> ConnectAsync(string gateways, string clusterId, TimeSpan timeout, CancellationToken cancellation,
        TelemetryExporter telemetry = TelemetryExporter.None, TlsCredentials? tls = null)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        var endpoints = gateways.Split(',', StringSplitOptions.TrimEntries).Select(ParseGateway).ToArray();
        string gateway = gateways.Split(',', StringSplitOptions.TrimEntries)[0]; // the one the TLS and plain-TCP probes judge
        var endpoint = endpoints[0];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddThresherTelemetry(telemetry, "thresher-cli");
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Error);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoints);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = clusterId;
            });
            client.Services.AddThresherSerialization();
            client.AddActivityPropagation();
            // Refusals need no report here: TlsProbe judges the same certificates beside this connection and says why.
            if (tls is not null) client.UseTls(o => TlsPeerTrust.ConfigureClient(o, tls, GatewayHost(gateway), _ => { }));
        });
        var host = builder.Build();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            await StartAsync(host, endpoint, gateway, tls, limit, cancellation).ConfigureAwait(false);
        }
        catch (ClusterUnreachableException)
        {
            host.Dispose();
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            host.Dispose();
            throw new ClusterUnreachableException(
                $"cannot reach a Thresher cluster at gateway {gateways} (cluster id '{clusterId}'): {(e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message)} — is a silo running there ('thresher-silo --gateway-port {endpoint.Port}')?", e);
        }
        return new RemoteCluster(host);
    }

    /// <summary>
    /// Starts the client beside a <see cref="TlsProbe"/>: with TLS, a handshake judging the same certificates;
    /// without, after <see cref="PlainProbeDelay"/> unconnected, a check that the gateway does not expect TLS
    /// (a TLS gateway drops a plain connection, and Orleans would retry until the timeout). A definite finding
    /// stops the start at once; a hint explains a start that fails.
    /// </summary>
    static async Task StartAsync(IHost host, IPEndPoint endpoint, string gateway, TlsCredentials? tls, CancellationTokenSource limit, CancellationToken user)
    {
        using var probeLimit = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
        var start = host.StartAsync(limit.Token);
        var probe = tls is not null
            ? TlsProbe.DiagnoseAsync(endpoint, gateway, GatewayHost(gateway), tls, probeLimit.Token)
            : ProbePlainAsync(start, endpoint, GatewayHost(gateway), probeLimit.Token);
        try
        {
            if (await Task.WhenAny(start, probe).ConfigureAwait(false) == probe && probe.IsCompletedSuccessfully && probe.Result is { Definite: true } fault)
            {
                // The start can only time out now; stop it before the host is disposed. Its cancellation is not the news.
                await limit.CancelAsync().ConfigureAwait(false);
                await start.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw new ClusterUnreachableException(fault.Text);
            }
            await start.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ClusterUnreachableException && !user.IsCancellationRequested && probe.IsCompletedSuccessfully && probe.Result is { } hint)
        {
            throw new ClusterUnreachableException(hint.Text, e);
        }
        finally
        {
            // A probe still running has found nothing; it ends with the start, found or not.
            await probeLimit.CancelAsync().ConfigureAwait(false);
            await ((Task)probe).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    static async Task<TlsDiagnosis?> ProbePlainAsync(Task start, IPEndPoint endpoint, string host, CancellationToken cancellation)
    {
        await Task.WhenAny(start, Task.Delay(PlainProbeDelay, cancellation)).ConfigureAwait(false);
        if (start.IsCompleted || cancellation.IsCancellationRequested) return null;
        return await TlsProbe.ExpectsTlsAsync(endpoint, host, cancellation).ConfigureAwait(false);
    }

    /// <summary>Well beyond a healthy connection's few hundred milliseconds, and short beside the 10 s default timeout.</summary>
    static readonly TimeSpan PlainProbeDelay = TimeSpan.FromSeconds(2);

    /// <summary>The host part of HOST:PORT (brackets of an IPv6 literal removed): the name the gateway's certificate must carry.</summary>
    static string GatewayHost(string gateway) => gateway[..gateway.LastIndexOf(':')].Trim('[', ']');

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
