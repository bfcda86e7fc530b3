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
    };

    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

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
          --telemetry KIND       traces and metrics: none, console or otlp (OTEL_EXPORTER_OTLP_ENDPOINT)
                                 [THRESHER__TELEMETRY] (none)
          -h, --help             this text

        Stops gracefully on Ctrl-C or SIGTERM.
        """;
}
