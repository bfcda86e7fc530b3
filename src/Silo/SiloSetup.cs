using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Thresher.Grains;

namespace Thresher.Silo;

/// <summary>The silo's endpoints and membership, read once from configuration and checked.</summary>
sealed record SiloSetup(string ClusterId, string ServiceId, int SiloPort, int GatewayPort, IPAddress AdvertisedIp, string Clustering, IPEndPoint? Primary)
{
    public static SiloSetup From(IConfiguration config)
    {
        string clusterId = config["Orleans:ClusterId"] ?? "thresher";
        string serviceId = config["Orleans:ServiceId"] ?? "thresher";
        int siloPort = Port(config, "Orleans:Endpoints:SiloPort", 11111);
        int gatewayPort = Port(config, "Orleans:Endpoints:GatewayPort", 30000);
        string ipText = config["Orleans:Endpoints:AdvertisedIPAddress"] ?? "127.0.0.1";
        if (!IPAddress.TryParse(ipText, out var ip))
            throw new ThresherInputException($"advertised-ip '{ipText}': not an IP address");
        string clustering = (config["Orleans:Clustering:ProviderType"] ?? "localhost").ToLowerInvariant();
        if (clustering is not ("localhost" or "development"))
            throw new ThresherInputException($"clustering '{clustering}': not supported by this build; expected localhost");
        IPEndPoint? primary = null;
        if (config["Thresher:PrimarySiloEndpoint"] is { Length: > 0 } primaryText && !IPEndPoint.TryParse(primaryText, out primary))
            throw new ThresherInputException($"primary '{primaryText}': expected HOST:PORT of the primary silo's silo port, e.g. 127.0.0.1:11111");
        return new SiloSetup(clusterId, serviceId, siloPort, gatewayPort, ip, clustering, primary);
    }

    public void Apply(ISiloBuilder silo, IConfiguration config)
    {
        silo.UseLocalhostClustering(SiloPort, GatewayPort, Primary, ServiceId, ClusterId);
        silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = AdvertisedIp);
        silo.Services.Configure<SiloTrainingOptions>(config.GetSection(SiloTrainingOptions.Section));
        silo.AddThresherGrains();
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"thresher-silo: cluster '{ClusterId}', silo {AdvertisedIp}:{SiloPort}, gateway {AdvertisedIp}:{GatewayPort}, clustering {Clustering}{(Primary is null ? " (primary)" : $" joining {Primary}")}; Ctrl-C stops it");

    static int Port(IConfiguration config, string key, int fallback)
    {
        string? text = config[key];
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < 1 || port > 65535)
            throw new ThresherInputException($"{key} '{text}': expected a port number in 1..65535");
        return port;
    }
}
