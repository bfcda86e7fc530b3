using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Thresher.Core.Backends;
using Thresher.Dashboard;
using Thresher.Gpu;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;
using Thresher.Hosting.Tls;

namespace Thresher.Silo;

/// <summary>How silos find each other: the development provider (one primary silo) or a Redis membership table.</summary>
enum Membership { Localhost, Redis }

/// <summary>
/// The silo's endpoints, membership and hosting, read once from configuration and checked.
/// <para>AdvertisedIp null: Orleans picks this host's first non-loopback address (containers).
/// Kubernetes true: <c>UseKubernetesHosting()</c> takes the pod's name, IP and the orleans/clusterId and
/// orleans/serviceId labels, so ClusterId, ServiceId, AdvertisedIp and ListenOnAny are its business.</para>
/// </summary>
sealed record SiloSetup(
    string ClusterId, string ServiceId, int SiloPort, int GatewayPort, IPAddress? AdvertisedIp, bool ListenOnAny,
    Membership Membership, string? RedisConnection, IPEndPoint? Primary, bool Kubernetes)
{
    public const string DefaultRedis = "127.0.0.1:6379";

    public static SiloSetup From(IConfiguration config)
    {
        string clusterId = config["Orleans:ClusterId"] ?? "thresher";
        string serviceId = config["Orleans:ServiceId"] ?? "thresher";
        int siloPort = Port(config, "Orleans:Endpoints:SiloPort", 11111);
        int gatewayPort = Port(config, "Orleans:Endpoints:GatewayPort", 30000);
        if (siloPort == gatewayPort)
            throw new ThresherInputException($"silo port and gateway port are both {siloPort}; give them different ports (--silo-port, --gateway-port)");
        string ipText = config["Orleans:Endpoints:AdvertisedIPAddress"] ?? "127.0.0.1";
        IPAddress? ip = null;
        if (!ipText.Equals("auto", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(ipText, out ip))
            throw new ThresherInputException($"advertised-ip '{ipText}': not an IP address; expected e.g. 127.0.0.1, or 'auto' for this host's first non-loopback address");
        bool listenAny = Flag(config, "Orleans:Endpoints:ListenOnAnyHostAddress", false);

        string? redis = config["Orleans:Clustering:ConnectionString"] is { Length: > 0 } text ? text : null;
        // A Redis address alone selects Redis membership; otherwise the development provider is the default.
        string kind = config["Orleans:Clustering:ProviderType"] is { Length: > 0 } provider ? provider : redis is null ? "localhost" : "redis";
        var membership = kind.ToLowerInvariant() switch
        {
            "localhost" or "development" => Membership.Localhost,
            "redis" => Membership.Redis,
            _ => throw new ThresherInputException($"clustering '{kind}': unknown membership provider; expected localhost (one machine, a primary silo) or redis"),
        };
        if (membership == Membership.Redis) redis ??= DefaultRedis;
        else if (redis is not null)
            throw new ThresherInputException($"redis '{redis}' was given with clustering '{kind}'; use --clustering redis (or drop --redis)");

        IPEndPoint? primary = null;
        if (config["Thresher:PrimarySiloEndpoint"] is { Length: > 0 } primaryText)
        {
            if (membership != Membership.Localhost)
                throw new ThresherInputException($"primary '{primaryText}': only localhost clustering has a primary silo; with redis every silo finds the others in Redis");
            if (!IPEndPoint.TryParse(primaryText, out primary) || primary.Port == 0)
                throw new ThresherInputException($"primary '{primaryText}': expected HOST:PORT of the primary silo's silo port, e.g. 127.0.0.1:11111");
        }

        bool kubernetes = KubernetesWanted(config);
        SiloTrainingConfig.Check(config);
        CheckDirectoryLease(config);
        if (kubernetes && membership == Membership.Localhost)
            throw new ThresherInputException("kubernetes hosting needs real membership: set Orleans__Clustering__ProviderType=Redis and Orleans__Clustering__ConnectionString=HOST:PORT (UseKubernetesHosting is not a membership provider)");
        return new SiloSetup(clusterId, serviceId, siloPort, gatewayPort, ip, listenAny, membership, redis, primary, kubernetes)
        {
            // cuda without a usable GPU throws here (exit 2); auto falls back to the CPU and says so.
            Backend = GradientBackends.Select(config["Thresher:Backend"], config["Thresher:GpuMath"], Console.WriteLine),
            Telemetry = TelemetrySetup.Parse(config["Thresher:Telemetry"]),
            RunReminderSeconds = ReminderSeconds(config),
            Tls = SiloTls.From(config),
            Dashboard = Flag(config, "Thresher:Dashboard:Enabled", true)
                ? DashboardEndpoint.Parse(config["Thresher:Dashboard:Bind"], config["Thresher:Dashboard:Port"], DashboardEndpoint.DefaultSiloPort)
                : null,
        };
    }

    /// <summary>Where the web dashboard listens (Thresher:Dashboard:Bind, :Port; default 127.0.0.1:8080); null = off (--no-dashboard).</summary>
    public DashboardEndpoint? Dashboard { get; init; }

    /// <summary>Where worker grains compute gradients (Thresher:Backend = cpu | cuda | auto; default cpu; Thresher:GpuMath = fp32 | tf32).</summary>
    public GradientBackendFactory Backend { get; init; } = GradientBackendFactory.Cpu;

    /// <summary>Period of a running run's reminder (Thresher:RunReminderSeconds, 0..86400; 0 = none; default 60).</summary>
    public int RunReminderSeconds { get; init; } = SiloTrainingOptions.DefaultRunReminderSeconds;

    static int ReminderSeconds(IConfiguration config)
    {
        string? text = config["Thresher:RunReminderSeconds"];
        if (text is null) return SiloTrainingOptions.DefaultRunReminderSeconds;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds <= 86400 ? seconds
            : throw new ThresherInputException($"Thresher:RunReminderSeconds '{text}': expected whole seconds in 0..86400 (0 = no reminder; a run then resumes after its silo died only when a client calls it)");
    }

    /// <summary>Where the silo sends traces and metrics (Thresher:Telemetry = none | console | otlp; default none).</summary>
    public TelemetryExporter Telemetry { get; init; } = TelemetryExporter.None;

    /// <summary>TLS on every silo and gateway connection (Thresher:Tls:*); null = plain TCP (the default).</summary>
    public SiloTls? Tls { get; init; }

    /// <summary>
    /// Orleans applies the "Orleans:Clustering" section itself (provider names are case-sensitive there and
    /// it knows no "localhost"), so the host rewrites that section to the checked choice and lets Orleans
    /// register the provider: Development with a primary silo, or Redis with its connection string.
    /// Orleans also binds "Orleans:Endpoints" to its options, so an 'auto' advertised address is removed there.
    /// </summary>
    public Dictionary<string, string?> OrleansConfiguration()
    {
        var overrides = Membership == Membership.Redis
            ? new Dictionary<string, string?> { ["Orleans:Clustering:ProviderType"] = "Redis", ["Orleans:Clustering:ConnectionString"] = RedisConnection }
            : new Dictionary<string, string?>
            {
                ["Orleans:Clustering:ProviderType"] = "Development",
                ["Orleans:Clustering:ConnectionString"] = null,
                ["Orleans:Clustering:PrimarySiloEndPoint"] = (Primary ?? new IPEndPoint(IPAddress.Loopback, SiloPort)).ToString(),
            };
        overrides["Orleans:Endpoints:AdvertisedIPAddress"] = AdvertisedIp?.ToString();
        return overrides;
    }

    public void Apply(ISiloBuilder silo, IConfiguration config)
    {
        silo.Configure<EndpointOptions>(o => (o.SiloPort, o.GatewayPort) = (SiloPort, GatewayPort));
        if (!Kubernetes) silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId));
        if (Kubernetes)
        {
            silo.UseKubernetesHosting();
        }
        else
        {
            silo.Configure<EndpointOptions>(o =>
            {
                if (AdvertisedIp is not null) o.AdvertisedIPAddress = AdvertisedIp;
                if (ListenOnAny)
                {
                    o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, GatewayPort);
                }
            });
        }
        silo.Services.Configure<SiloTrainingOptions>(config.GetSection(SiloTrainingOptions.Section));
        // Failure detection and call timeouts, e.g. the fast settings the chaos tests use (README "Reliability"):
        // Orleans__Membership__ProbeTimeout=00:00:01, Orleans__Messaging__ResponseTimeout=00:00:05, …
        silo.Services.Configure<ClusterMembershipOptions>(config.GetSection("Orleans:Membership"));
        silo.Services.Configure<SiloMessagingOptions>(config.GetSection("Orleans:Messaging"));
        silo.Services.AddSingleton(Backend);
        silo.Services.AddThresherTelemetry(Telemetry, "thresher-silo");
        // The strongly consistent directory: while silos join or leave (a graceful stop included) the default,
        // eventually consistent directory can lose an entry in the hand-off and a second activation of a
        // run grain appears, blank, beside the live one; this one keeps one activation per grain throughout.
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        // After a silo dies, that directory keeps its grains from re-activating for RangeLeaseDuration (30 s) minus the
        // failure-detection window: 22 s with the fast settings, the bulk of a 23 s recovery. The lease guards against a
        // declared-dead silo that still runs; Thresher's runs are fenced in storage instead (README "Reliability"), so
        // the lease is off unless Orleans:GrainDirectory:RangeLeaseDuration says otherwise.
        silo.Services.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.Zero);
        silo.Services.Configure<GrainDirectoryOptions>(config.GetSection("Orleans:GrainDirectory"));
        AddCheckpointStorage(silo);
        AddReminders(silo);
        if (Membership == Membership.Redis) silo.Services.AddHostedService<MembershipWatchdog>();
        silo.AddThresherGrains();
        if (Dashboard is not null) silo.AddThresherDashboard(); // the Orleans dashboard's grains and counters
        silo.AddThresherPlacement(hostWorkers: !bool.TryParse(config["Thresher:HostWorkers"], out bool host) || host);
        Tls?.Apply(silo);
    }

    /// <summary>
    /// Where runs keep their checkpoints (<see cref="CheckpointStorage.Name"/>): with Redis membership the same
    /// Redis, stored with Orleans' binary serializer (8-12 ms per 2 MB checkpoint on a loopback Redis), so a run
    /// survives the death of any silo; with localhost clustering silo memory, which dies with the silo holding it.
    /// </summary>
    void AddCheckpointStorage(ISiloBuilder silo)
    {
        if (Membership != Membership.Redis)
        {
            silo.AddMemoryCheckpointStorage();
            return;
        }
        silo.AddRedisGrainStorage(CheckpointStorage.Name, options => options.Configure<IServiceProvider>((o, services) =>
        {
            o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(RedisConnection ?? DefaultRedis);
            o.GrainStorageSerializer = new Orleans.Storage.OrleansGrainStorageSerializer(services.GetRequiredService<Orleans.Serialization.Serializer>());
        }));
    }

    /// <summary>
    /// The reminder service behind each running run's reminder (<see cref="SiloTrainingOptions.RunReminderSeconds"/>):
    /// with Redis membership a Redis reminder table, so a run whose silo died is re-activated by a survivor; with
    /// localhost clustering an in-memory table. A period under Orleans' one-minute minimum lowers the minimum.
    /// </summary>
    void AddReminders(ISiloBuilder silo)
    {
        if (Membership == Membership.Redis)
            silo.UseRedisReminderService(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(RedisConnection ?? DefaultRedis));
        else
            silo.UseInMemoryReminderService();
        if (RunReminderSeconds is > 0 and < 60)
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(RunReminderSeconds));
    }

    /// <summary>The one line a started silo prints; scripts and tests wait for its "thresher-silo: cluster" prefix.</summary>
    public string Describe(ILocalSiloDetails silo) => string.Create(CultureInfo.InvariantCulture,
        $"thresher-silo: cluster '{silo.ClusterId}', silo {silo.SiloAddress.Endpoint}, gateway {silo.GatewayAddress?.Endpoint}, clustering {MembershipText}{(Kubernetes ? ", kubernetes hosting" : "")}, backend {Backend.Description}{(Tls is null ? "" : ", " + Tls.Describe())}; Ctrl-C stops it");

    string MembershipText => Membership switch
    {
        Membership.Redis => $"redis {RedisConnection}",
        _ => Primary is null ? "localhost (primary)" : $"localhost joining {Primary}",
    };

    /// <summary>Thresher:Kubernetes = true | false | auto (default): auto is on inside a pod (KUBERNETES_SERVICE_HOST and POD_NAME set).</summary>
    static bool KubernetesWanted(IConfiguration config)
    {
        string text = config["Thresher:Kubernetes"] ?? "auto";
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 }
                && Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 };
        return bool.TryParse(text, out bool on) ? on
            : throw new ThresherInputException($"Thresher:Kubernetes '{text}': expected true, false or auto");
    }

    /// <summary>Orleans:GrainDirectory:RangeLeaseDuration, when given: a duration ≥ 0 (Orleans would fail at start with a stack trace).</summary>
    static void CheckDirectoryLease(IConfiguration config)
    {
        const string key = "Orleans:GrainDirectory:RangeLeaseDuration";
        if (config[key] is not { } text) return;
        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var lease) || lease < TimeSpan.Zero)
            throw new ThresherInputException($"{key} '{text}': expected a duration ≥ 0 such as 00:00:30 (default 00:00:00: no lease on a dead silo's grains; see README, Reliability)");
    }

    static bool Flag(IConfiguration config, string key, bool fallback)
    {
        string? text = config[key];
        if (text is null) return fallback;
        return bool.TryParse(text, out bool on) ? on : throw new ThresherInputException($"{key} '{text}': expected true or false");
    }

    static int Port(IConfiguration config, string key, int fallback)
    {
        string? text = config[key];
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
            throw new ThresherInputException($"{key} '{text}': expected a port number in 1..65535");
        return port;
    }
}
