using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Thresher.Hosting.Tls;

/// <summary>
/// Who may talk to whom once TLS is on, for silos (inbound silo and gateway connections, outbound silo
/// connections) and for the CLI.
/// <para>With a CA (--tls-ca): every connection is mutual TLS; a peer is accepted when its certificate chains
/// to that CA, whatever else the system trusts. Host names are not checked: silos reach each other at IP
/// addresses that change (pods, containers), so the cluster's identity is its CA.</para>
/// <para>Without one: the system trust store judges the silos' certificates, client certificates are optional,
/// and the CLI also checks the gateway's host name (it knows the name the user gave).</para>
/// </summary>
public static class TlsPeerTrust
{
    /// <summary>Silo side: the silo presents its certificate both as a server and, to other silos, as a client.</summary>
    public static void ConfigureSilo(TlsOptions options, TlsCredentials credentials, Action<string> refused)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        bool mutual = credentials.Authority is not null;
        options.LocalCertificate = credentials.Certificate;
        // One TlsOptions serves both directions: on inbound connections this mode decides whether a client
        // certificate is required, on outbound ones whether the other silo's is (a TLS server always sends one).
        options.RemoteCertificateMode = mutual ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate;
        options.ClientCertificateMode = mutual ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate;
        options.RemoteCertificateValidation = Validator(credentials.Authority, checkHostName: false, refused);
    }

    /// <summary>CLI side: verify the gateway, present a client certificate when there is one.</summary>
    public static void ConfigureClient(TlsOptions options, TlsCredentials credentials, string gatewayHost, Action<string> refused)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        options.LocalCertificate = credentials.Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = credentials.Certificate is null ? RemoteCertificateMode.AllowCertificate : RemoteCertificateMode.RequireCertificate;
        bool checkHostName = credentials.Authority is null;
        options.RemoteCertificateValidation = Validator(credentials.Authority, checkHostName, refused);
        options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = gatewayHost;
    }

    /// <summary>
    /// Accepts a peer's certificate when it chains to <paramref name="authority"/> (or, without one, when the
    /// platform found no fault other than, unless <paramref name="checkHostName"/>, the name); otherwise tells
    /// <paramref name="refused"/> why, in words, and refuses it.
    /// </summary>
    public static RemoteCertificateValidator Validator(X509Certificate2Collection? authority, bool checkHostName, Action<string> refused)
        => (certificate, chain, errors) =>
        {
            string? fault;
            if (authority is not null)
            {
                fault = ChainFault(certificate, authority, chain);
                if (fault is not null) fault = $"certificate '{certificate.Subject}' (issuer '{certificate.Issuer}') does not chain to the configured CA: {fault}";
            }
            else
            {
                if (!checkHostName) errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
                fault = errors == SslPolicyErrors.None ? null : $"certificate '{certificate.Subject}' (issuer '{certificate.Issuer}') is not trusted by this machine's trust store: {Describe(errors, chain)}";
            }
            if (fault is not null) refused(fault);
            return fault is null;
        };

    /// <summary>Why <paramref name="certificate"/> does not chain to <paramref name="authority"/>, or null when it does.</summary>
    public static string? ChainFault(X509Certificate2 certificate, X509Certificate2Collection authority, X509Chain? extra)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authority);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authority);
        // Intermediates may come from the CA file or from the peer's handshake.
        chain.ChainPolicy.ExtraStore.AddRange(authority);
        if (extra is not null)
            foreach (var element in extra.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        // No revocation lists: a private cluster CA rarely publishes one, and a silo may have no way out to fetch it.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate)) return null;
        return string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
    }

    static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        var parts = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) parts.Add("no certificate");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) parts.Add("its names do not include the host dialled");
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            parts.Add(chain is null ? "chain errors" : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct()));
        return string.Join("; ", parts);
    }
}
