using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Thresher.Dashboard;
using Thresher.Gpu;
using Thresher.Grains;
using Thresher.Hosting.Telemetry;

namespace Thresher.Client.Cluster;

/// <summary>
/// A one-silo cluster inside the CLI process (`thresher train`): localhost clustering on free loopback
/// ports, so several can run side by side and none collides with a real silo's default ports. It serves the
/// web dashboard (src/Dashboard) on <c>dashboard</c>, unless that is null.
/// </summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    readonly WebApplication _host;

    EmbeddedCluster(WebApplication host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>The dashboard's address once started, e.g. http://127.0.0.1:40123/; null when it is off.</summary>
    public string? DashboardUrl => _host.DashboardUrl();

    /// <param name="options">The silo's training settings (data folder, worker threads, backend, …).</param>
    /// <param name="telemetry">Where this process's traces and metrics go.</param>
    /// <param name="dashboard">Where the web dashboard listens; null = no dashboard.</param>
    public static async Task<EmbeddedCluster> StartAsync(SiloTrainingOptions options, TelemetryExporter telemetry, DashboardEndpoint? dashboard, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddThresherTelemetry(telemetry, "thresher");
        builder.Logging.AddFilter((_, level) => level >= LogLevel.Warning).AddSimpleConsole(o => o.SingleLine = true);
        // The CLI shows alerts and failures itself (watch view, result table); the silo's own warnings
        // would only tear the live view. Errors still print.
        builder.Logging.AddFilter("Orleans", LogLevel.Error).AddFilter("Microsoft", LogLevel.Error).AddFilter("Thresher", LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "thresher-embedded", clusterId: "thresher-embedded");
            // This silo lives in the user's own process: it may read any directory the user names.
            options.AnyDataDirectory = true;
            options.RunReminderSeconds = 0; // one silo in this process: when it dies the whole cluster does, so no reminder helps
            silo.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
            silo.Services.AddSingleton(GradientBackends.Select(options.Backend, options.GpuMath)); // the GPU, when chosen, is opened once per process
            silo.AddMemoryCheckpointStorage(); // checkpoints live as long as this process
            silo.AddThresherGrains();
            if (dashboard is not null) silo.AddThresherDashboard();
        });
        builder.AddThresherDashboard(dashboard);
        var host = builder.Build();
        if (dashboard is not null) host.MapThresherDashboard();
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (IOException e) when (dashboard is not null)
        {
            // Kestrel could not bind: the port is taken, or the address is not this host's.
            await HostShutdown.StopAsync(host, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            throw new ThresherInputException($"dashboard {dashboard.Bind}:{dashboard.Port}: {e.Message} Pick another with --dashboard-port (0 = a free one) or --dashboard-bind, or use --no-dashboard");
        }
        return new EmbeddedCluster(host);
    }

    public ValueTask DisposeAsync() => HostShutdown.StopAsync(_host, TimeSpan.FromSeconds(10));

    static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
