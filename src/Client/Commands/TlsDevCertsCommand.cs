using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Commands;

/// <summary>`thresher tls dev-certs`: a development CA with a silo and a client certificate, for mutual TLS.</summary>
public sealed class TlsDevCertsCommand(IAnsiConsole console) : Command<TlsDevCertsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder to write ca.pem, ca.key, silo.pem, silo.key, client.pem, client.key into (created if missing).")]
        public string Out { get; init; } = "";

        [CommandOption("--host <NAME|IP>")]
        [Description("A further DNS name or IP address for the silo certificate, besides localhost, 127.0.0.1 and ::1 (repeatable).")]
        public string[] Hosts { get; init; } = [];

        [CommandOption("--days <N>")]
        [Description("Validity in days, 1..3650. Default 365.")]
        [DefaultValue(365)]
        [TypeConverter(typeof(IntOptionConverter))]
        public int Days { get; init; } = 365;

        [CommandOption("--force")]
        [Description("Replace certificates and keys already in --out.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required: the folder for the certificates");
            if (Days is < 1 or > 3650) return ValidationResult.Error($"--days {Days}: must be in 1..3650");
            if (Hosts.FirstOrDefault(h => Uri.CheckHostName(h) == UriHostNameType.Unknown) is { } bad)
                return ValidationResult.Error($"--host '{bad}': not a DNS name or IP address");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string directory = Path.GetFullPath(settings.Out);
        try
        {
            DevCertificates.Write(directory, settings.Hosts, settings.Days, settings.Force);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresherInputException($"out '{directory}': cannot write the certificates there ({e.Message})", e);
        }
        console.MarkupLineInterpolated($"wrote {string.Join(", ", DevCertificates.Files)} to [bold]{directory}[/] (valid {settings.Days} days; keys readable by you only)");
        console.MarkupLineInterpolated($"silo:   [bold]thresher-silo --tls-cert {Path.Combine(directory, "silo.pem")} --tls-key {Path.Combine(directory, "silo.key")} --tls-ca {Path.Combine(directory, "ca.pem")}[/]");
        console.MarkupLineInterpolated($"client: [bold]thresher cluster --tls-cert {Path.Combine(directory, "client.pem")} --tls-key {Path.Combine(directory, "client.key")} --tls-ca {Path.Combine(directory, "ca.pem")}[/]");
        console.MarkupLine("These are for development: anyone holding ca.key can issue certificates the cluster accepts.");
        return ExitCodes.Success;
    }
}
