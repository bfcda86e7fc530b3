using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thresher.Dashboard;
using Thresher.Silo;

if (SiloCommandLine.WantsHelp(args))
{
    Console.WriteLine(SiloCommandLine.Help);
    return 0;
}
args = SiloCommandLine.ExpandFlags(args);
// An ASP.NET Core application whose services are the silo's: the web dashboard reads the run grains through them.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, SiloCommandLine.SwitchMappings);
SiloSetup settings;
try
{
    SiloCommandLine.Check(args);
    settings = SiloSetup.From(builder.Configuration);
}
catch (Thresher.ThresherInputException e)
{
    Console.Error.WriteLine($"thresher-silo: {e.Message}");
    return 2;
}
if (await SiloStartFailure.CheckAsync(settings) is { } unavailable) return unavailable.Report();
builder.Configuration.AddInMemoryCollection(settings.OrleansConfiguration());
builder.UseOrleans(silo => settings.Apply(silo, builder.Configuration));
builder.AddThresherDashboard(settings.Dashboard);
await using var host = builder.Build();
if (settings.Dashboard is not null) host.MapThresherDashboard();
try
{
    await host.StartAsync();
}
catch (Exception e)
{
    if (Environment.GetEnvironmentVariable("THRESHER_DEBUG") is not null) Console.Error.WriteLine(e);
    return SiloStartFailure.From(e, settings).Report();
}
if (host.DashboardUrl() is { } url) Console.WriteLine($"thresher-silo: dashboard {url}");
Console.WriteLine(settings.Describe(host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>()));
await host.WaitForShutdownAsync();
return MembershipWatchdog.ExitCode ?? 0; // 3: the membership table lost this silo (see MembershipWatchdog)
