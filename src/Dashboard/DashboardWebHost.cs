using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Orleans.Dashboard;

namespace Thresher.Dashboard;

/// <summary>
/// How a host serves the dashboard. Both hosts (thresher-silo, the embedded silo of `thresher train`) are ASP.NET
/// Core applications whose services are the silo's, so the pages read the run grains through the silo's own grain
/// factory. Call <see cref="AddThresherDashboard(WebApplicationBuilder, DashboardEndpoint?)"/> on the builder,
/// <see cref="AddThresherDashboard(ISiloBuilder)"/> in UseOrleans, and, once built,
/// <see cref="MapThresherDashboard"/>.
/// </summary>
public static class DashboardWebHost
{
    const string Assets = "Thresher.Dashboard.wwwroot";

    /// <summary>Kestrel on <paramref name="endpoint"/> and the dashboard's services; null: a server that listens nowhere.</summary>
    public static void AddThresherDashboard(this WebApplicationBuilder builder, DashboardEndpoint? endpoint)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (endpoint is null)
        {
            builder.Services.AddSingleton<IServer, NoWebServer>();
            return;
        }
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(endpoint.Bind, endpoint.Port));
        builder.Services.AddRouting();
        builder.Services.AddSingleton<RunHistoryCache>();
    }

    /// <summary>
    /// The Orleans dashboard's grains and counters on this silo, for the /orleans page. Only with the web dashboard
    /// on: they poll every silo each second and trace each call, which a silo without the page need not pay for.
    /// </summary>
    public static ISiloBuilder AddThresherDashboard(this ISiloBuilder silo) => silo.AddDashboard();

    /// <summary>Pages (/, /runs/{id}, /cluster), /static/*, /api/*, and the Orleans dashboard under /orleans.</summary>
    public static void MapThresherDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var assembly = typeof(DashboardWebHost).Assembly;
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new EmbeddedFileProvider(assembly, Assets), RequestPath = "/static" });
        app.MapGet("/", () => Page("index.html"));
        app.MapGet("/runs/{id}", (string id) => Page("run.html"));
        app.MapGet("/cluster", () => Page("cluster.html"));
        DashboardApi.Map(app);
        app.MapOrleansDashboard(routePrefix: "/orleans");
    }

    /// <summary>The address Kestrel listens on once started (the chosen port when it was 0); null when off.</summary>
    public static string? DashboardUrl(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.FirstOrDefault() is { } url ? url.TrimEnd('/') + "/" : null;
    }

    static IResult Page(string name)
        => Results.Stream(typeof(DashboardWebHost).Assembly.GetManifestResourceStream($"{Assets}.{name}")!, "text/html; charset=utf-8");
}
