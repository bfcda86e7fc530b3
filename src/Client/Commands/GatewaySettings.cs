using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Commands;

/// <summary>Where the cluster is: one or more silos' gateways, the client failing over between them (see <see cref="IGatewayOptions"/>).</summary>
public class GatewaySettings : CommandSettings, IGatewayOptions
{
    [CommandOption("--gateway <HOST:PORT>")]
    [Description(GatewayOptions.GatewayDescription)]
    public string[] Gateways { get; init; } = [];

    /// <summary>The gateways as one comma-separated list (the default when none was given).</summary>
    public string Gateway => Gateways.Length == 0 ? GatewayOptions.DefaultGateway : string.Join(',', Gateways);

    [CommandOption("--cluster-id <ID>")]
    [Description(GatewayOptions.ClusterIdDescription)]
    [DefaultValue(GatewayOptions.DefaultClusterId)]
    public string ClusterId { get; init; } = GatewayOptions.DefaultClusterId;

    [CommandOption("--connect-timeout <SECONDS>")]
    [Description(GatewayOptions.ConnectTimeoutDescription)]
    [DefaultValue(GatewayOptions.DefaultConnectTimeoutSeconds)]
    [TypeConverter(typeof(IntOptionConverter))]
    public int ConnectTimeoutSeconds { get; init; } = GatewayOptions.DefaultConnectTimeoutSeconds;

    [CommandOption("--tls-cert <FILE>")]
    [Description(ClientTls.CertificateDescription)]
    public string? TlsCertificate { get; init; }

    [CommandOption("--tls-key <FILE>")]
    [Description(ClientTls.KeyDescription)]
    public string? TlsKey { get; init; }

    [CommandOption("--tls-ca <FILE>")]
    [Description(ClientTls.CaDescription)]
    public string? TlsCa { get; init; }

    public override ValidationResult Validate() => this.ValidateGateway();
}

/// <summary>Commands that name one run.</summary>
public class RunIdSettings : GatewaySettings
{
    [CommandArgument(0, "<RUN>")]
    [Description("The run id, as printed by submit or listed by runs.")]
    public string RunId { get; init; } = "";
}
