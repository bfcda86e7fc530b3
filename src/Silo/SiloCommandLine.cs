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
        ["--primary"] = "Thresher:PrimarySiloEndpoint",
        ["--data-dir"] = "Thresher:DataDirectory",
        ["--worker-threads"] = "Thresher:WorkerThreads",
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
          --advertised-ip IP     address other silos reach this one at [Orleans__Endpoints__AdvertisedIPAddress] (127.0.0.1)
          --clustering KIND      membership: localhost (development) [Orleans__Clustering__ProviderType] (localhost)
          --primary HOST:PORT    with localhost clustering: the primary silo's silo endpoint, for a second
                                 silo process joining the first [THRESHER__PRIMARYSILOENDPOINT] (this silo)
          --data-dir DIR         dataset cache folder [THRESHER__DATADIRECTORY] (THRESHER_DATA_DIR or ~/.cache/thresher)
          --worker-threads N     kernel threads per worker grain; 0 = cores / workers [THRESHER__WORKERTHREADS] (0)
          -h, --help             this text

        Stops gracefully on Ctrl-C or SIGTERM.
        """;
}
