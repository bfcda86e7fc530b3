using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Thresher.Dashboard;

/// <summary>
/// The server of a host whose dashboard is off (--no-dashboard): the host is an ASP.NET Core application either
/// way, and this server listens nowhere, so an off dashboard opens no port at all.
/// </summary>
sealed class NoWebServer : IServer
{
    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
        => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
