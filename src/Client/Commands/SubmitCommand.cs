using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Hosting.Telemetry;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Commands;

/// <summary>`thresher submit`: start a run on a running cluster; with --watch, follow it to the end.</summary>
public sealed class SubmitCommand(IAnsiConsole console) : AsyncCommand<SubmitCommand.Settings>
{
    /// <summary>The run options and the gateway options (<see cref="IGatewayOptions"/>: texts, defaults and check shared with <see cref="GatewaySettings"/>).</summary>
    /// <remarks>
    /// Why the six gateway properties are declared again here instead of inherited: Spectre.Console.Cli finds a command's
    /// options by walking its settings class and that class's base classes (public properties declared on each, with
    /// [CommandOption]); it does not look at interfaces, and a branch's settings must themselves be a base class of its
    /// commands' settings. C# gives a class one base, and submit's must be <see cref="RunSettings"/>, which `train` shares
    /// and which must not carry --gateway (train would then accept it). So no settings base can hold both option sets for
    /// submit alone. What can be shared is: the texts, defaults, check and connection, in <see cref="GatewayOptions"/>; and
    /// GatewayOptionsTests checks that these declarations stay identical to <see cref="GatewaySettings"/>' (attributes, types).
    /// </remarks>
    public sealed class Settings : RunSettings, IGatewayOptions
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

        public override ValidationResult Validate() => this.ValidateGateway() is { Successful: false } bad ? bad : base.Validate();

        [CommandOption("--watch")]
        [Description("Follow the run live until it ends (Ctrl-C detaches; the run goes on). Exit code is the run's.")]
        public bool Watch { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (config, initial, initialOptimizer) = RunSession.Prepare(settings);
        string runId = settings.NewRunId();
        await using var cluster = await settings.ConnectAsync(cancellation, TelemetrySetup.Parse(settings.Telemetry)).ConfigureAwait(false);
        var session = new RunSession(console, cluster.Client);
        var run = await session.StartAsync(runId, config, initial, initialOptimizer).ConfigureAwait(false);
        if (!settings.Watch && settings.MetricsOut is null && settings.SummaryJson is null && settings.Save is null)
        {
            console.MarkupLineInterpolated($"submitted; follow it with [bold]thresher status {runId} --gateway {settings.Gateway}[/]");
            return ExitCodes.Success;
        }
        return await session.FollowAsync(run, config, settings, settings.MetricsOut, settings.SummaryJson, cancelRunOnInterrupt: false, cancellation).ConfigureAwait(false);
    }
}
