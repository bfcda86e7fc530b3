using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Commands;

/// <summary>Where the cluster is: one silo's gateway.</summary>
public class GatewaySettings : CommandSettings
{
    [CommandOption("--gateway <HOST:PORT>")]
    [Description("A silo's client gateway. Default 127.0.0.1:30000 (thresher-silo's default).")]
    [DefaultValue("127.0.0.1:30000")]
    public string Gateway { get; init; } = "127.0.0.1:30000";

    [CommandOption("--cluster-id <ID>")]
    [Description("The cluster's id, as the silos were started with. Default thresher.")]
    [DefaultValue("thresher")]
    public string ClusterId { get; init; } = "thresher";

    [CommandOption("--connect-timeout <SECONDS>")]
    [Description("How long to try reaching the gateway, in seconds (1..300). Default 10.")]
    [DefaultValue(10)]
    [TypeConverter(typeof(IntOptionConverter))]
    public int ConnectTimeoutSeconds { get; init; } = 10;

    [CommandOption("--tls-cert <FILE>")]
    [Description(ClientTls.CertificateDescription)]
    public string? TlsCertificate { get; init; }

    [CommandOption("--tls-key <FILE>")]
    [Description(ClientTls.KeyDescription)]
    public string? TlsKey { get; init; }

    [CommandOption("--tls-ca <FILE>")]
    [Description(ClientTls.CaDescription)]
    public string? TlsCa { get; init; }

    public override ValidationResult Validate()
        => ConnectTimeoutSeconds is < 1 or > 300
            ? ValidationResult.Error($"connect-timeout {ConnectTimeoutSeconds}: must be in 1..300 seconds")
            : ValidationResult.Success();

    public Task<Cluster.RemoteCluster> ConnectAsync(CancellationToken cancellation)
        => Cluster.RemoteCluster.ConnectAsync(Gateway, ClusterId, TimeSpan.FromSeconds(ConnectTimeoutSeconds), cancellation,
            tls: ClientTls.Load(TlsCertificate, TlsKey, TlsCa));
}

/// <summary>Commands that name one run.</summary>
public class RunIdSettings : GatewaySettings
{
    [CommandArgument(0, "<RUN>")]
    [Description("The run id, as printed by submit or listed by runs.")]
    public string RunId { get; init; } = "";
}
