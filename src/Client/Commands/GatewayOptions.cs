using Spectre.Console;
using Thresher.Client.Cluster;
using Thresher.Hosting.Telemetry;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Commands;

/// <summary>
/// Where the cluster is: one silo's gateway, the cluster id, how long to try, and the TLS files. Two settings types
/// carry these options: <see cref="GatewaySettings"/> (runs, status, cancel, watch, export, cluster, report) and
/// submit's, whose base is <see cref="RunSettings"/> (Spectre binds options only along one settings class's
/// inheritance chain). Both implement this interface; the options' texts, defaults, check and the connection are
/// written once, here.
/// </summary>
public interface IGatewayOptions
{
    string Gateway { get; }

    string ClusterId { get; }

    int ConnectTimeoutSeconds { get; }

    string? TlsCertificate { get; }

    string? TlsKey { get; }

    string? TlsCa { get; }
}

/// <summary>The gateway options' defaults, help texts, check and connection (see <see cref="IGatewayOptions"/>).</summary>
public static class GatewayOptions
{
    public const string DefaultGateway = "127.0.0.1:30000";
    public const string DefaultClusterId = "thresher";
    public const int DefaultConnectTimeoutSeconds = 10;

    public const string GatewayDescription = "A silo's client gateway; several: comma-separated or the option repeated, and the client fails over between them (a watch follows its run through another gateway when one dies). Default 127.0.0.1:30000 (thresher-silo's default).";
    public const string ClusterIdDescription = "The cluster's id, as the silos were started with. Default thresher.";
    public const string ConnectTimeoutDescription = "How long to try reaching the gateway, in seconds (1..300). Default 10.";

    extension(IGatewayOptions options)
    {
        /// <summary>The options' own check: --connect-timeout in 1..300 (the gateway's address is checked when connecting).</summary>
        public ValidationResult ValidateGateway()
            => options.ConnectTimeoutSeconds is < 1 or > 300
                ? ValidationResult.Error($"connect-timeout {options.ConnectTimeoutSeconds}: must be in 1..300 seconds")
                : ValidationResult.Success();

        /// <summary>A client connected to the gateway (exit 3 through <see cref="ClusterUnreachableException"/> when none answers).</summary>
        public Task<RemoteCluster> ConnectAsync(CancellationToken cancellation, TelemetryExporter telemetry = TelemetryExporter.None)
            => RemoteCluster.ConnectAsync(options.Gateway, options.ClusterId, TimeSpan.FromSeconds(options.ConnectTimeoutSeconds), cancellation,
                telemetry, ClientTls.Load(options.TlsCertificate, options.TlsKey, options.TlsCa));
    }
}
