using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Thresher.Grains;
using Thresher.Hosting.Tls;

namespace Thresher.Client.Tests;

/// <summary>
/// TLS as processes on loopback: certificates from `thresher tls dev-certs`, two thresher-silo processes with
/// mutual TLS (the second joining the first), and the CLI with the right certificate, none, or one from another
/// CA. Refusals end in exit code 3 within a second or two, saying what TLS refused; bad files in exit code 2.
/// </summary>
public sealed class TlsTests(TlsTests.Cluster cluster) : IClassFixture<TlsTests.Cluster>
{
    /// <summary>Two certificate folders (the cluster's, "a", and a stranger's, "b") and a 2-silo mutual-TLS cluster on "a".</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public string Work { get; } = Directory.CreateTempSubdirectory("thresher-tls-").FullName;

        public SyntheticData Data { get; } = new();

        public SiloProcess First { get; private set; } = null!;

        public SiloProcess Second { get; private set; } = null!;

        public string A(string file) => Path.Combine(Work, "a", file);

        public string B(string file) => Path.Combine(Work, "b", file);

        public string[] SiloArgs => ["--tls-cert", A("silo.pem"), "--tls-key", A("silo.key"), "--tls-ca", A("ca.pem")];

        public string[] Gateway(int timeoutSeconds = 10) =>
            ["--gateway", Second.Gateway, "--cluster-id", "thresher-tls", "--connect-timeout", $"{timeoutSeconds}"];

        public async Task InitializeAsync()
        {
            foreach (string folder in new[] { "a", "b" })
            {
                var (code, output) = await CliRunner.RunInProcess("tls", "dev-certs", "--out", Path.Combine(Work, folder), "--host", "thresher.test");
                Assert.True(code == 0, output);
            }
            First = await SiloProcess.StartAsync(clusterId: "thresher-tls", extraArgs: SiloArgs);
            Second = await SiloProcess.StartAsync(First, "thresher-tls", SiloArgs);
        }

        public async Task DisposeAsync()
        {
            await Second.DisposeAsync();
            await First.DisposeAsync();
            Data.Dispose();
            Directory.Delete(Work, recursive: true);
        }
    }

    [Fact]
    public void Dev_certs_are_a_ca_a_silo_and_a_client_certificate_with_owner_only_keys()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(cluster.A("ca.pem"));
        using var silo = X509Certificate2.CreateFromPemFile(cluster.A("silo.pem"), cluster.A("silo.key"));
        using var client = X509Certificate2.CreateFromPemFile(cluster.A("client.pem"), cluster.A("client.key"));
        Assert.Null(TlsPeerTrust.ChainFault(silo, [ca], extra: null));
        Assert.Null(TlsPeerTrust.ChainFault(client, [ca], extra: null));
        Assert.Equal(new[] { TlsCredentials.ServerAuthOid, TlsCredentials.ClientAuthOid }, Usages(silo));
        Assert.Equal(new[] { TlsCredentials.ClientAuthOid }, Usages(client));
        string names = silo.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().Format(false);
        foreach (string name in new[] { "localhost", "127.0.0.1", "thresher.test" }) Assert.Contains(name, names, StringComparison.Ordinal);
        Assert.InRange(silo.NotAfter - DateTime.Now, TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        if (!OperatingSystem.IsWindows())
            foreach (string key in new[] { "ca.key", "silo.key", "client.key" })
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.A(key)));
    }

    [Fact]
    public async Task Dev_certs_refuses_to_overwrite_without_force()
    {
        var (code, _, stderr) = await CliRunner.RunExecutable("tls", "dev-certs", "--out", Path.Combine(cluster.Work, "a"));
        Assert.Equal(2, code);
        Assert.Contains("ca.pem already exists; pass --force", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_with_the_cluster_certificate_sees_both_tls_silos_and_trains_across_them()
    {
        string[] tls = ["--tls-cert", cluster.A("client.pem"), "--tls-key", cluster.A("client.key"), "--tls-ca", cluster.A("ca.pem")];
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["cluster", "--json", .. cluster.Gateway(), .. tls]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        using (var json = JsonDocument.Parse(stdout))
            Assert.Equal(2, json.RootElement.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active"));

        string[] submit = ["submit", "--gateway", cluster.Second.Gateway, "--cluster-id", "thresher-tls", .. tls];
        (code, stdout, stderr) = await CliRunner.RunExecutableIn(cluster.Work, TimeSpan.FromMinutes(2),
            [.. submit, "--data", cluster.Data.Directory, "--layers", SyntheticData.Layers, "--workers", "2", "--steps", "20",
             "--run-id", "tls-run", "--watch", "--summary-json", "tls-run.json"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}\nsilo 1: {cluster.First.Output}\nsilo 2: {cluster.Second.Output}");
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cluster.Work, "tls-run.json"))))
        {
            Assert.Equal(20, json.RootElement.GetProperty("steps").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("silos").GetArrayLength());
        }

        // The same files through the environment: THRESHER_TLS_CERT, _KEY, _CA.
        (code, stdout, stderr) = await RunWithEnvironment(["runs", .. cluster.Gateway()], new()
        {
            ["THRESHER_TLS_CERT"] = cluster.A("client.pem"),
            ["THRESHER_TLS_KEY"] = cluster.A("client.key"),
            ["THRESHER_TLS_CA"] = cluster.A("ca.pem"),
        });
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("tls-run", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "expects TLS and this client connected without it")]
    [InlineData("ca-only", "the gateway requires a client certificate (mutual TLS)")]
    [InlineData("other-ca", "does not chain to the configured CA")]
    [InlineData("other-client", "the gateway refused this client's certificate 'CN=thresher-client'")]
    public async Task A_client_without_the_clusters_certificate_or_trust_exits_3_saying_what_tls_refused(string client, string message)
    {
        string[] tls = client switch
        {
            "plain" => [],
            "ca-only" => ["--tls-ca", cluster.A("ca.pem")],
            "other-ca" => ["--tls-cert", cluster.B("client.pem"), "--tls-key", cluster.B("client.key"), "--tls-ca", cluster.B("ca.pem")],
            _ => ["--tls-cert", cluster.B("client.pem"), "--tls-key", cluster.B("client.key"), "--tls-ca", cluster.A("ca.pem")],
        };
        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = await CliRunner.RunExecutable(["runs", .. cluster.Gateway(timeoutSeconds: 20), .. tls]);
        Assert.True(code == 3, $"exit {code}: {stdout}{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Contains(cluster.Second.Gateway, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        // Found by the probe, not by waiting out the 20 s connect timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("tls-cert '{work}/missing.pem': file not found", "--tls-cert", "{work}/missing.pem")]
    [InlineData("tls-cert '{a}/silo.key': no PEM certificate in it", "--tls-cert", "{a}/silo.key", "--tls-key", "{a}/silo.key")]
    [InlineData("tls-cert '{a}/silo.pem': no private key in it", "--tls-cert", "{a}/silo.pem")]
    [InlineData("tls-key '{a}/client.key': does not match the certificate in '{a}/silo.pem'", "--tls-cert", "{a}/silo.pem", "--tls-key", "{a}/client.key")]
    [InlineData("tls-cert '{work}/expired.pem': certificate 'CN=expired-silo' expired on", "--tls-cert", "{work}/expired.pem", "--tls-key", "{work}/expired.key")]
    [InlineData("tls-cert '{a}/silo.pem': not issued by the CA in '{b}/ca.pem'", "--tls-cert", "{a}/silo.pem", "--tls-key", "{a}/silo.key", "--tls-ca", "{b}/ca.pem")]
    [InlineData("lacks server authentication", "--tls-cert", "{a}/client.pem", "--tls-key", "{a}/client.key")]
    [InlineData("tls-ca '{a}/silo.key': no PEM certificate in it", "--tls-cert", "{a}/silo.pem", "--tls-key", "{a}/silo.key", "--tls-ca", "{a}/silo.key")]
    [InlineData("tls-ca '{a}/ca.pem' was given without tls-cert", "--tls-ca", "{a}/ca.pem")]
    public async Task A_silo_given_bad_tls_files_exits_2_with_one_line_naming_the_file(string message, params string[] args)
    {
        WriteExpiredCertificate();
        var (code, stdout, stderr) = await RunSilo([.. args.Select(Expand)]);
        Assert.True(code == 2, $"exit {code}: {stdout}{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("thresher-silo: ", line, StringComparison.Ordinal);
        Assert.Contains(Expand(message), line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_given_a_bad_tls_file_exits_2_naming_it()
    {
        string missing = Path.Combine(cluster.Work, "nope.pem");
        var (code, stdout, stderr) = await CliRunner.Run(["cluster", .. cluster.Gateway(), "--tls-cert", missing, "--tls-ca", cluster.A("ca.pem")]);
        Assert.True(code == 2, $"exit {code}: {stdout}{stderr}");
        Assert.Contains($"tls-cert '{missing}': file not found", stderr, StringComparison.Ordinal);
    }

    string Expand(string text) => text
        .Replace("{work}", cluster.Work, StringComparison.Ordinal)
        .Replace("{a}", Path.Combine(cluster.Work, "a"), StringComparison.Ordinal)
        .Replace("{b}", Path.Combine(cluster.Work, "b"), StringComparison.Ordinal);

    /// <summary>A self-signed silo certificate whose validity ended yesterday.</summary>
    void WriteExpiredCertificate()
    {
        string path = Path.Combine(cluster.Work, "expired.pem");
        if (File.Exists(path)) return;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=expired-silo", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var expired = request.CreateSelfSigned(now.AddDays(-30), now.AddDays(-1));
        File.WriteAllText(Path.Combine(cluster.Work, "expired.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(path, expired.ExportCertificatePem());
    }

    static string[] Usages(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value!)];

    static Task<(int Code, string Stdout, string Stderr)> RunWithEnvironment(string[] args, Dictionary<string, string> environment)
    {
        var start = CliRunner.DotnetExec(typeof(ExitCodes).Assembly.Location, args);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return CliRunner.RunToExit(start, TimeSpan.FromMinutes(1));
    }

    static Task<(int Code, string Stdout, string Stderr)> RunSilo(string[] args)
        => CliRunner.RunSiloToExit(["--silo-port", $"{SiloProcess.FreePort()}", "--gateway-port", $"{SiloProcess.FreePort()}", "--cluster-id", "thresher-tls-bad", .. args],
            null, TimeSpan.FromMinutes(1));
}
