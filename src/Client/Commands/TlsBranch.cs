using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>Registers `thresher tls dev-certs`.</summary>
public static class TlsBranch
{
    public static void AddTlsBranch(this IConfigurator config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.AddBranch("tls", tls =>
        {
            tls.SetDescription("Certificates for TLS between silos and from clients.");
            tls.AddCommand<TlsDevCertsCommand>("dev-certs")
                .WithDescription("Write a development CA, a silo and a client certificate (EC P-256, PEM) for mutual TLS.")
                .WithExample("tls", "dev-certs", "--out", "certs")
                .WithExample("tls", "dev-certs", "--out", "certs", "--host", "silo1.example.net", "--host", "10.0.0.5");
        });
    }
}
