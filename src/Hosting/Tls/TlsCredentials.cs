using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Thresher.Hosting.Tls;

/// <summary>
/// A host's TLS material, loaded once from the files the user named and checked, so a bad file stops the host
/// at start-up with one line instead of failing every handshake later.
/// <para>Certificate: this host's own certificate with its private key; null for a CLI that only verifies the
/// silos. Authority: the CA certificates a peer's certificate must chain to (mutual TLS); null = the system
/// trust store decides.</para>
/// </summary>
public sealed record TlsCredentials(X509Certificate2? Certificate, X509Certificate2Collection? Authority)
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// Loads --tls-cert (PEM, with its key in --tls-key or in the same file; or PKCS#12 .pfx/.p12), and --tls-ca
    /// (PEM or DER CA certificates). <paramref name="passwordSource"/> names where <paramref name="password"/>
    /// comes from, for messages. Throws <see cref="ThresherInputException"/> naming the file and the fault.
    /// </summary>
    public static TlsCredentials Load(string? certificatePath, string? keyPath, string? caPath, string? password, string passwordSource)
    {
        if (certificatePath is null && keyPath is not null)
            throw new ThresherInputException($"tls-key '{keyPath}' was given without tls-cert; pass the certificate it belongs to with --tls-cert");
        var now = DateTimeOffset.UtcNow;
        X509Certificate2? certificate = null;
        if (certificatePath is not null)
        {
            certificate = LoadCertificate(certificatePath, keyPath, password, passwordSource);
            CheckValidity("tls-cert", certificatePath, certificate, now);
        }
        X509Certificate2Collection? authority = null;
        if (caPath is not null)
        {
            authority = LoadAuthority(caPath);
            foreach (var ca in authority) CheckValidity("tls-ca", caPath, ca, now);
        }
        return new TlsCredentials(certificate, authority);
    }

    /// <summary>
    /// Throws unless this host's certificate chains to its own CA: true of every silo of a cluster sharing one CA
    /// file, whose peers would refuse it otherwise. (A client's certificate may come from another CA the silos trust.)
    /// </summary>
    public void RequireIssuedByAuthority(string certificatePath, string caPath)
    {
        if (Certificate is null || Authority is null) return;
        if (TlsPeerTrust.ChainFault(Certificate, Authority, extra: null) is { } fault)
            throw new ThresherInputException($"tls-cert '{certificatePath}': not issued by the CA in '{caPath}' ({fault}); silos that trust only that CA would refuse it");
    }

    /// <summary>Throws unless the certificate may be used for <paramref name="oid"/> (no EKU extension allows every use).</summary>
    public void RequireUsage(string certificatePath, string oid, string purpose)
    {
        if (Certificate is null) return;
        var usages = Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usages is null || usages.EnhancedKeyUsages.Cast<Oid>().Any(u => u.Value == oid)) return;
        string kind = oid == ServerAuthOid ? "server authentication" : "client authentication";
        throw new ThresherInputException($"tls-cert '{certificatePath}': its extended key usage lacks {kind} ({oid}), which {purpose}; issue it with both serverAuth and clientAuth ('thresher tls dev-certs' does)");
    }

    static X509Certificate2 LoadCertificate(string path, string? keyPath, string? password, string passwordSource)
    {
        string text = ReadText("tls-cert", path);
        if (!IsPem(text))
        {
            if (keyPath is not null)
                throw new ThresherInputException($"tls-key '{keyPath}': a PKCS#12 certificate ('{path}') carries its own key; drop --tls-key");
            return LoadPkcs12(path, password, passwordSource);
        }
        if (!text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw new ThresherInputException($"tls-cert '{path}': no PEM certificate in it (expected a '-----BEGIN CERTIFICATE-----' block, or a .pfx/.p12 file)");
        string keyFile = keyPath ?? path;
        string keyText = keyPath is null ? text : ReadText("tls-key", keyPath);
        if (!keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw keyPath is null
                ? new ThresherInputException($"tls-cert '{path}': no private key in it; pass the key file with --tls-key")
                : new ThresherInputException($"tls-key '{keyPath}': no PEM private key in it (expected a '-----BEGIN PRIVATE KEY-----' block)");
        bool encrypted = keyText.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && string.IsNullOrEmpty(password))
            throw new ThresherInputException($"tls-key '{keyFile}': the private key is encrypted; set its password in {passwordSource}");
        X509Certificate2 pem;
        try
        {
            pem = encrypted ? X509Certificate2.CreateFromEncryptedPem(text, keyText, password) : X509Certificate2.CreateFromPem(text, keyText);
        }
        catch (ArgumentException e)
        {
            throw new ThresherInputException($"tls-key '{keyFile}': does not match the certificate in '{path}' (it is the private key of another certificate)", e);
        }
        catch (CryptographicException e)
        {
            string what = encrypted ? $"cannot decrypt it with the password in {passwordSource}, or it is not the key of" : "cannot read it as the private key of";
            throw new ThresherInputException($"tls-key '{keyFile}': {what} the certificate in '{path}' ({e.Message})", e);
        }
        // SslStream wants a key it can hand to the platform's TLS (persisted, not ephemeral on Windows):
        // a PKCS#12 round trip gives every platform the same kind of key.
        using (pem)
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    static X509Certificate2 LoadPkcs12(string path, string? password, string passwordSource)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException e)
        {
            throw new ThresherInputException($"tls-cert '{path}': neither a PEM certificate nor a PKCS#12 (.pfx/.p12) file readable with the password in {passwordSource} ({e.Message})", e);
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ThresherInputException($"tls-cert '{path}': the PKCS#12 file holds no private key");
        }
        return certificate;
    }

    static X509Certificate2Collection LoadAuthority(string path)
    {
        string text = ReadText("tls-ca", path);
        var authority = new X509Certificate2Collection();
        try
        {
            if (IsPem(text)) authority.ImportFromPem(text);
            else authority.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }
        catch (CryptographicException e)
        {
            throw new ThresherInputException($"tls-ca '{path}': not a PEM or DER certificate ({e.Message})", e);
        }
        if (authority.Count == 0)
            throw new ThresherInputException($"tls-ca '{path}': no PEM certificate in it (expected one or more '-----BEGIN CERTIFICATE-----' blocks)");
        return authority;
    }

    static void CheckValidity(string option, string path, X509Certificate2 certificate, DateTimeOffset now)
    {
        string subject = certificate.Subject;
        if (now < certificate.NotBefore.ToUniversalTime())
            throw new ThresherInputException(string.Create(CultureInfo.InvariantCulture,
                $"{option} '{path}': certificate '{subject}' is not valid before {certificate.NotBefore.ToUniversalTime():u} (check this machine's clock)"));
        if (now > certificate.NotAfter.ToUniversalTime())
            throw new ThresherInputException(string.Create(CultureInfo.InvariantCulture,
                $"{option} '{path}': certificate '{subject}' expired on {certificate.NotAfter.ToUniversalTime():u}; issue a new one"));
    }

    static string ReadText(string option, string path)
    {
        try
        {
            // Latin-1 maps every byte to one char, so a binary PKCS#12 file reads without decoding errors.
            return File.ReadAllText(path, Encoding.Latin1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ThresherInputException($"{option} '{path}': file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresherInputException($"{option} '{path}': cannot read it ({e.Message})", e);
        }
    }

    static bool IsPem(string text) => text.Contains("-----BEGIN ", StringComparison.Ordinal);
}
