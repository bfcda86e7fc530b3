using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thresher.Silo;

if (SiloCommandLine.WantsHelp(args))
{
    Console.WriteLine(SiloCommandLine.Help);
    return 0;
}
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, SiloCommandLine.SwitchMappings);
SiloSetup settings;
try
{
    settings = SiloSetup.From(builder.Configuration);
}
catch (Thresher.ThresherInputException e)
{
    Console.Error.WriteLine($"thresher-silo: {e.Message}");
    return 2;
}
builder.Configuration.AddInMemoryCollection(settings.OrleansConfiguration());
builder.UseOrleans(silo => settings.Apply(silo, builder.Configuration));
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine(settings.Describe(host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>()));
await host.WaitForShutdownAsync();
return 0;
