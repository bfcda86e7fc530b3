
namespace Thresher.Hosting.Tls;

/// <summary>
/// The CLI's TLS files: --tls-cert, --tls-key, --tls-ca, each defaulting to THRESHER_TLS_CERT, THRESHER_TLS_KEY,
/// THRESHER_TLS_CA; the password of an encrypted key or .pfx comes from THRESHER_TLS_PASSWORD only (not an
/// option, so it stays out of the process list and shell history). TLS is on when a certificate or a CA is named.
/// </summary>
public static class ClientTls
{
    public const string CertificateDescription = "Connect with TLS, presenting this client certificate: PEM (key in --tls-key or in the same file) or .pfx/.p12 (password in THRESHER_TLS_PASSWORD). Needed when the silos were started with --tls-ca. Default $THRESHER_TLS_CERT.";
    public const string KeyDescription = "The PEM private key of --tls-cert. Default $THRESHER_TLS_KEY.";
    public const string CaDescription = "Connect with TLS and accept only silos whose certificate chains to these PEM CA certificates (host names are not checked). Without it, with --tls-cert, the system trust store judges the gateway. Default $THRESHER_TLS_CA.";

    /// <summary>The checked credentials, or null for plain TCP; throws <see cref="ThresherInputException"/> naming a bad file.</summary>
    public static TlsCredentials? Load(string? certificate, string? key, string? ca)
    {
        certificate ??= Variable("THRESHER_TLS_CERT");
        key ??= Variable("THRESHER_TLS_KEY");
        ca ??= Variable("THRESHER_TLS_CA");
        if (certificate is null && key is null && ca is null) return null;
        var credentials = TlsCredentials.Load(certificate, key, ca, Variable("THRESHER_TLS_PASSWORD"), "THRESHER_TLS_PASSWORD");
        if (certificate is not null)
            credentials.RequireUsage(certificate, TlsCredentials.ClientAuthOid, "a client certificate needs");
        return credentials;
    }

    static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
