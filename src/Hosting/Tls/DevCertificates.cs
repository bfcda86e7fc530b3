using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Thresher.Hosting.Tls;

/// <summary>
/// A development certificate authority and the two certificates a TLS cluster needs, all EC P-256 / SHA-256:
/// ca.pem (+ ca.key, to issue more), silo.pem/silo.key (server and client authentication: silos present it to
/// clients and to each other; names localhost, 127.0.0.1, ::1 and the given hosts) and client.pem/client.key
/// (client authentication). Private keys are PKCS#8 PEM, unencrypted, readable by the owner only on Unix.
/// </summary>
public static class DevCertificates
{
    public static readonly string[] Files = ["ca.pem", "ca.key", "silo.pem", "silo.key", "client.pem", "client.key"];

    static readonly string[] DefaultHosts = ["localhost", "127.0.0.1", "::1"];

    /// <summary>Writes <see cref="Files"/> into <paramref name="directory"/>, valid for <paramref name="days"/> days from now.</summary>
    public static void Write(string directory, IEnumerable<string> hosts, int days, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        Directory.CreateDirectory(directory);
        if (!overwrite && Files.Select(f => Path.Combine(directory, f)).FirstOrDefault(File.Exists) is { } existing)
            throw new ThresherInputException($"out '{directory}': {Path.GetFileName(existing)} already exists; pass --force to replace the certificates there");
        // Back-dated a little: a peer whose clock runs behind would otherwise refuse a certificate issued "in the future".
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore.AddDays(days);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // A name of its own per CA, so a message about a certificate from another dev-certs folder says which CA it was.
        string caName = string.Create(CultureInfo.InvariantCulture, $"CN=Thresher development CA {notBefore:yyyy-MM-dd} {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
        var caRequest = new CertificateRequest(caName, caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);
        Save(directory, "ca", ca, caKey);

        var names = new SubjectAlternativeNameBuilder();
        foreach (string host in DefaultHosts.Concat(hosts).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(host, out var address)) names.AddIpAddress(address);
            else names.AddDnsName(host);
        }
        Issue(directory, "silo", "CN=thresher-silo", ca, notBefore, notAfter, names.Build(), TlsCredentials.ServerAuthOid, TlsCredentials.ClientAuthOid);
        Issue(directory, "client", "CN=thresher-client", ca, notBefore, notAfter, names: null, TlsCredentials.ClientAuthOid);
    }

    static void Issue(string directory, string name, string subject, X509Certificate2 ca, DateTimeOffset notBefore, DateTimeOffset notAfter,
        X509Extension? names, params string[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var oids = new OidCollection();
        foreach (string usage in usages) oids.Add(new Oid(usage));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (names is not null) request.CertificateExtensions.Add(names);
        using var certificate = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        Save(directory, name, certificate, key);
    }

    static void Save(string directory, string name, X509Certificate2 certificate, ECDsa key)
    {
        File.WriteAllText(Path.Combine(directory, name + ".pem"), certificate.ExportCertificatePem() + "\n");
        string keyPath = Path.Combine(directory, name + ".key");
        // Created owner-only (0600), never chmod-ed after writing, so the key is not readable by others at any
        // moment; an old key is removed first because the creation mode applies only to a new file.
        File.Delete(keyPath);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(keyPath, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
