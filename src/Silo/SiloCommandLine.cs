namespace Thresher.Silo;

/// <summary>Short command-line switches of thresher-silo, mapped onto configuration keys.</summary>
static class SiloCommandLine
{
    public static Dictionary<string, string> SwitchMappings { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--cluster-id"] = "Orleans:ClusterId",
        ["--service-id"] = "Orleans:ServiceId",
        ["--silo-port"] = "Orleans:Endpoints:SiloPort",
        ["--gateway-port"] = "Orleans:Endpoints:GatewayPort",
        ["--advertised-ip"] = "Orleans:Endpoints:AdvertisedIPAddress",
        ["--clustering"] = "Orleans:Clustering:ProviderType",
        ["--redis"] = "Orleans:Clustering:ConnectionString",
        ["--listen-any"] = "Orleans:Endpoints:ListenOnAnyHostAddress",
        ["--kubernetes"] = "Thresher:Kubernetes",
        ["--telemetry"] = "Thresher:Telemetry",
        ["--primary"] = "Thresher:PrimarySiloEndpoint",
        ["--data-dir"] = "Thresher:DataDirectory",
        ["--data-root"] = "Thresher:DataRoots",
        ["--worker-threads"] = "Thresher:WorkerThreads",
        ["--backend"] = "Thresher:Backend",
        ["--gpu-math"] = "Thresher:GpuMath",
        ["--run-reminder"] = "Thresher:RunReminderSeconds",
        ["--storage-outage-limit"] = "Thresher:StorageOutageLimitSeconds",
        ["--tls-cert"] = "Thresher:Tls:Certificate",
        ["--tls-key"] = "Thresher:Tls:Key",
        ["--tls-ca"] = "Thresher:Tls:Ca",
        ["--dashboard-port"] = "Thresher:Dashboard:Port",
        ["--dashboard-bind"] = "Thresher:Dashboard:Bind",
    };

    /// <summary>Switches that take no value, and the configuration each one stands for.</summary>
    static readonly Dictionary<string, string> Flags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--no-dashboard"] = "--Thresher:Dashboard:Enabled=false",
    };

    /// <summary>The arguments with each value-less flag written as the setting it means, for the configuration's command-line source.</summary>
    public static string[] ExpandFlags(string[] args) => [.. args.Select(a => Flags.TryGetValue(a, out var setting) ? setting : a)];

    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    /// <summary>
    /// Rejects what the configuration's command-line source would silently ignore: an unknown switch (a typo such
    /// as --silo-prot would leave the default port in force), a switch without a value, a stray word. Full
    /// configuration keys (--Orleans:Membership:ProbeTimeout 00:00:01) pass: they reach every other setting.
    /// </summary>
    public static void Check(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i < args.Length; i++)
        {
            if (Flags.ContainsKey(args[i])) continue;
            string key = args[i].Split('=', 2)[0];
            bool known = SwitchMappings.ContainsKey(key) || (key.StartsWith("--", StringComparison.Ordinal) && key.Contains(':', StringComparison.Ordinal));
            if (!known)
                throw new ThresherInputException(key.StartsWith('-')
                    ? $"unknown option '{key}'; 'thresher-silo --help' lists the options"
                    : $"unexpected argument '{args[i]}'; options take the form --name VALUE ('thresher-silo --help')");
            if (key.Length == args[i].Length && ++i == args.Length)
                throw new ThresherInputException($"{key}: missing value ('thresher-silo --help')");
        }
    }

    public const string Help = """
        thresher-silo — a Thresher silo: hosts worker and parameter-server grains.

        Usage: thresher-silo [options]

        Options (each also settable in appsettings.json or the environment, shown in brackets):
          --cluster-id ID        Orleans cluster id; clients must use the same [Orleans__ClusterId] (thresher)
          --service-id ID        Orleans service id [Orleans__ServiceId] (thresher)
          --silo-port N          silo-to-silo port [Orleans__Endpoints__SiloPort] (11111)
          --gateway-port N       client gateway port [Orleans__Endpoints__GatewayPort] (30000)
          --advertised-ip IP     address other silos and clients reach this one at; 'auto' = this host's first
                                 non-loopback address (containers) [Orleans__Endpoints__AdvertisedIPAddress] (127.0.0.1)
          --listen-any BOOL      listen on every interface, not only the advertised address
                                 [Orleans__Endpoints__ListenOnAnyHostAddress] (false)
          --clustering KIND      membership: localhost (one machine, a primary silo) or redis (any number of
                                 silos, any machines) [Orleans__Clustering__ProviderType] (localhost; redis if --redis is given)
          --redis HOST:PORT      the Redis server holding the membership table; a StackExchange.Redis
                                 configuration string also works [Orleans__Clustering__ConnectionString] (127.0.0.1:6379)
          --primary HOST:PORT    with localhost clustering: the primary silo's silo endpoint, for a second
                                 silo process joining the first [THRESHER__PRIMARYSILOENDPOINT] (this silo)
          --kubernetes MODE      true | false | auto: UseKubernetesHosting() (pod name, IP and orleans/* labels);
                                 needs redis membership [THRESHER__KUBERNETES] (auto: on inside a pod with POD_NAME set)
          --data-dir DIR         dataset cache folder [THRESHER__DATADIRECTORY] (THRESHER_DATA_DIR or ~/.cache/thresher)
          --data-root DIRS       further folders runs may name with --data (':'-separated); others are refused [THRESHER__DATAROOTS] (none)
          --worker-threads N     kernel threads per worker grain; 0 = cores / workers [THRESHER__WORKERTHREADS] (0)
          --backend KIND         where workers compute gradients: cpu (SIMD), cuda (an NVIDIA GPU; fails with exit
                                 code 2 without one) or auto (cuda if usable, else cpu) [THRESHER__BACKEND] (cpu)
          --gpu-math MODE        GPU GEMMs: fp32 (cuBLAS when found, else ILGPU's kernel) or tf32 (cuBLAS tensor cores;
                                 exit code 2 without cuBLAS) [THRESHER__GPUMATH] (fp32)
          --run-reminder SECS    period of each running run's reminder, which re-activates a run whose silo died on a
                                 survivor with no client calling; 0 = none [THRESHER__RUNREMINDERSECONDS] (60)
          --storage-outage-limit SECS  how long a run may stall on unavailable checkpoint storage (retrying with
                                 backoff) before it fails, 1..86400 [THRESHER__STORAGEOUTAGELIMITSECONDS] (600)
          --telemetry KIND       traces and metrics: none, console or otlp (OTEL_EXPORTER_OTLP_ENDPOINT)
                                 [THRESHER__TELEMETRY] (none)
          --tls-cert FILE        TLS on every silo and gateway connection with this certificate: PEM (key in --tls-key
                                 or in the same file) or .pfx/.p12 [THRESHER__TLS__CERTIFICATE] (none: plain TCP)
          --tls-key FILE         the PEM private key of --tls-cert [THRESHER__TLS__KEY] (none)
          --tls-ca FILE          PEM CA certificate(s): mutual TLS, every peer (silo or client) must present a
                                 certificate issued by them [THRESHER__TLS__CA] (none: the system trust store,
                                 client certificates optional)
                                 The password of an encrypted key or .pfx: [THRESHER__TLS__PASSWORD] (no switch, so it
                                 stays out of the process list)
          --dashboard-port N     the web dashboard's port (runs, live charts, cluster; the Orleans dashboard under
                                 /orleans); 0 = a free one, printed at start [THRESHER__DASHBOARD__PORT] (8080)
          --dashboard-bind IP    the address it listens on; it has no authentication, so keep it on loopback unless
                                 the network is trusted (0.0.0.0 = every interface) [THRESHER__DASHBOARD__BIND] (127.0.0.1)
          --no-dashboard         serve no dashboard (opens no port) [THRESHER__DASHBOARD__ENABLED=false] (on)
          -h, --help             this text

        Stops gracefully on Ctrl-C or SIGTERM. Exit codes: 0 stopped; 1 failed to start for another reason;
        2 bad configuration (an unknown option, a bad value: one line naming it); 3 a port already in use or
        Redis unreachable.
        """;
}
