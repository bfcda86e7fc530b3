using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting;

namespace Thresher.Hosting.Tls;

/// <summary>
/// TLS for every connection a silo makes or accepts (silo-to-silo and client gateway), from the files named by
/// Thresher:Tls:Certificate (PEM or .pfx/.p12), Thresher:Tls:Key (PEM key, when not in the certificate file),
/// Thresher:Tls:Ca (PEM CA certificates: mutual TLS, peers must chain to them) and Thresher:Tls:Password
/// (encrypted key or PKCS#12; no switch, so it stays out of the process list). Off without a certificate.
/// </summary>
public sealed record SiloTls(TlsCredentials Credentials, string CertificatePath, string? CaPath)
{
    public const string Section = "Thresher:Tls";

    /// <summary>The checked files, or null when TLS is off; throws <see cref="ThresherInputException"/> for a bad file.</summary>
    public static SiloTls? From(IConfiguration config)
    {
        string? certificate = Value(config, "Certificate"), key = Value(config, "Key"), ca = Value(config, "Ca");
        if (certificate is null)
        {
            if (key is not null || ca is not null)
                throw new ThresherInputException($"tls-{(key is not null ? "key" : "ca")} '{key ?? ca}' was given without tls-cert; a TLS silo needs its own certificate (--tls-cert, THRESHER__TLS__CERTIFICATE)");
            return null;
        }
        var credentials = TlsCredentials.Load(certificate, key, ca, Value(config, "Password"), "THRESHER__TLS__PASSWORD");
        credentials.RequireUsage(certificate, TlsCredentials.ServerAuthOid, "a silo needs to accept connections");
        if (ca is not null)
        {
            credentials.RequireIssuedByAuthority(certificate, ca);
            credentials.RequireUsage(certificate, TlsCredentials.ClientAuthOid, "a silo needs to present it to other silos under mutual TLS (--tls-ca)");
        }
        return new SiloTls(credentials, certificate, ca);
    }

    public void Apply(ISiloBuilder silo)
    {
        // A joining silo with the wrong CA retries every few seconds: say why once per distinct reason, not per try.
        var said = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        silo.UseTls(options => TlsPeerTrust.ConfigureSilo(options, Credentials, fault =>
        {
            if (said.TryAdd(fault, true)) Console.Error.WriteLine($"thresher-silo: TLS: refused a peer: {fault}");
        }));
    }

    /// <summary>For the start-up line.</summary>
    public string Describe() => CaPath is null
        ? $"tls {CertificatePath} (system trust store, client certificates optional)"
        : $"mutual tls {CertificatePath}, CA {CaPath}";

    static string? Value(IConfiguration config, string key) => config[$"{Section}:{key}"] is { Length: > 0 } text ? text : null;
}
