using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Hosting.Telemetry;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Commands;

/// <summary>`thresher submit`: start a run on a running cluster; with --watch, follow it to the end.</summary>
public sealed class SubmitCommand(IAnsiConsole console) : AsyncCommand<SubmitCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--gateway <HOST:PORT>")]
        [Description("A silo's client gateway. Default 127.0.0.1:30000.")]
        [DefaultValue("127.0.0.1:30000")]
        public string Gateway { get; init; } = "127.0.0.1:30000";

        [CommandOption("--cluster-id <ID>")]
        [Description("The cluster's id. Default thresher.")]
        [DefaultValue("thresher")]
        public string ClusterId { get; init; } = "thresher";

        [CommandOption("--tls-cert <FILE>")]
        [Description(ClientTls.CertificateDescription)]
        public string? TlsCertificate { get; init; }

        [CommandOption("--tls-key <FILE>")]
        [Description(ClientTls.KeyDescription)]
        public string? TlsKey { get; init; }

        [CommandOption("--tls-ca <FILE>")]
        [Description(ClientTls.CaDescription)]
        public string? TlsCa { get; init; }

        [CommandOption("--connect-timeout <SECONDS>")]
        [Description("How long to try reaching the gateway, in seconds (1..300). Default 10.")]
        [DefaultValue(10)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int ConnectTimeoutSeconds { get; init; } = 10;

        public override ValidationResult Validate()
            => ConnectTimeoutSeconds is < 1 or > 300
                ? ValidationResult.Error($"connect-timeout {ConnectTimeoutSeconds}: must be in 1..300 seconds")
                : base.Validate();

        [CommandOption("--watch")]
        [Description("Follow the run live until it ends (Ctrl-C detaches; the run goes on). Exit code is the run's.")]
        public bool Watch { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (config, initial) = RunSession.Prepare(settings);
        string runId = settings.NewRunId();
        await using var cluster = await Cluster.RemoteCluster.ConnectAsync(settings.Gateway, settings.ClusterId, TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds), cancellation, TelemetrySetup.Parse(settings.Telemetry),
            ClientTls.Load(settings.TlsCertificate, settings.TlsKey, settings.TlsCa)).ConfigureAwait(false);
        var session = new RunSession(console, cluster.Client);
        var run = await session.StartAsync(runId, config, initial).ConfigureAwait(false);
        if (!settings.Watch && settings.MetricsOut is null && settings.SummaryJson is null && settings.Save is null)
        {
            console.MarkupLineInterpolated($"submitted; follow it with [bold]thresher status {runId} --gateway {settings.Gateway}[/]");
            return ExitCodes.Success;
        }
        return await session.FollowAsync(run, config, settings, settings.MetricsOut, settings.SummaryJson, cancelRunOnInterrupt: false, cancellation).ConfigureAwait(false);
    }
}
