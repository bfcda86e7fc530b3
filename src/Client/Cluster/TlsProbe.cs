using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Thresher.Grains;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Cluster;

/// <summary>What a probe found: Definite = Orleans cannot connect, stop now; otherwise a hint for when it fails.</summary>
sealed record TlsDiagnosis(string Text, bool Definite);

/// <summary>
/// A TLS handshake with the gateway beside Orleans' own connection, to say why a connection cannot work:
/// Orleans' client drops a failed handshake silently and retries until its timeout, so a wrong certificate
/// would otherwise read as "cannot reach" after the whole --connect-timeout.
/// <para>The probe speaks TLS 1.3 only (Thresher's silos accept 1.2 and 1.3, Orleans' default). There the client
/// always finishes its side of the handshake, seeing the server's certificate, and the server judges the
/// client's certificate afterwards: a refusal arrives as an alert or a closed connection on the first read, while
/// an accepted client hears nothing (the gateway waits for Orleans' preamble) until the probe is stopped.</para>
/// </summary>
static class TlsProbe
{
    /// <summary>Handshakes as the CLI would with <paramref name="tls"/>; null while nothing is wrong (it runs until cancelled).</summary>
    public static async Task<TlsDiagnosis?> DiagnoseAsync(IPEndPoint endpoint, string gateway, string host, TlsCredentials tls, CancellationToken cancellation)
    {
        string? refusal = null;
        bool sawCertificate = false;
        var validate = TlsPeerTrust.Validator(tls.Authority, checkHostName: tls.Authority is null, fault => refusal = fault);
        var options = Options(host, (_, certificate, chain, errors) =>
        {
            sawCertificate = certificate is not null;
            return certificate is not null
                && validate(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), chain, errors);
        });
        options.ClientCertificates = tls.Certificate is null ? null : [tls.Certificate];
        var outcome = await HandshakeAsync(endpoint, options, readAfter: true, cancellation).ConfigureAwait(false);
        string failed = $"TLS handshake with gateway {gateway} failed";
        return outcome switch
        {
            Outcome.NoAnswer => null,
            Outcome.Failed when refusal is not null => new($"{failed}: the gateway's {refusal} — pass the CA that issued the silos' certificates with --tls-ca (THRESHER_TLS_CA)", Definite: true),
            // Not necessarily fatal: a platform without TLS 1.3 fails here too, and Orleans may still connect.
            Outcome.Failed when !sawCertificate => new($"{failed}: the gateway presented no certificate — is that silo started with TLS (--tls-cert)? If it is not, drop --tls-cert and --tls-ca", Definite: false),
            Outcome.Failed => null,
            Outcome.Refused when tls.Certificate is null => new($"{failed}: the gateway requires a client certificate (mutual TLS) — pass one issued by the cluster's CA with --tls-cert and --tls-key (THRESHER_TLS_CERT, THRESHER_TLS_KEY)", Definite: true),
            Outcome.Refused => new($"{failed}: the gateway refused this client's certificate '{tls.Certificate.Subject}' (issuer '{tls.Certificate.Issuer}'): it accepts only certificates issued by the cluster's CA", Definite: true),
            _ => null,
        };
    }

    /// <summary>For a client without TLS: whether the gateway answers a TLS client hello with a certificate, so a plain connection cannot work.</summary>
    public static async Task<TlsDiagnosis?> ExpectsTlsAsync(IPEndPoint endpoint, string host, CancellationToken cancellation)
    {
        bool sawCertificate = false;
        var options = Options(host, (_, certificate, _, _) =>
        {
            sawCertificate = certificate is not null;
            return false; // seeing a certificate is all this asks; refusing it ends the handshake there
        });
        await HandshakeAsync(endpoint, options, readAfter: false, cancellation).ConfigureAwait(false);
        return sawCertificate
            ? new($"gateway {endpoint} expects TLS and this client connected without it — pass the cluster's CA with --tls-ca and, when the silos require client certificates (mutual TLS), --tls-cert and --tls-key (or THRESHER_TLS_CA, THRESHER_TLS_CERT, THRESHER_TLS_KEY)", Definite: true)
            : null;
    }

    static SslClientAuthenticationOptions Options(string host, RemoteCertificateValidationCallback validate) => new()
    {
        TargetHost = host,
        EnabledSslProtocols = SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = validate,
    };

    enum Outcome { Accepted, Failed, Refused, NoAnswer }

    static async Task<Outcome> HandshakeAsync(IPEndPoint endpoint, SslClientAuthenticationOptions options, bool readAfter, CancellationToken cancellation)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, cancellation).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return Outcome.NoAnswer; // Orleans says that itself, with the gateway's address
        }
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return Outcome.Failed;
        }
        if (!readAfter) return Outcome.Accepted;
        try
        {
            // Returns only when the server ends the connection: the gateway sends nothing before our preamble.
            return await ssl.ReadAsync(new byte[1], cancellation).ConfigureAwait(false) == 0 ? Outcome.Refused : Outcome.Accepted;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return Outcome.Refused;
        }
    }
}
