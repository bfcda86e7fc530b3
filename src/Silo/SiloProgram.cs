using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thresher.Dashboard;

namespace Thresher.Silo;

/// <summary>
/// thresher-silo's entry point: Program.cs runs it with the process's arguments, console and environment; tests run
/// it in their own process with their own (the bad-configuration rows: the same exit code and the same one stderr line
/// as the executable). Exit codes: 0 stopped, 2 bad configuration, 3 a port taken, Redis unreachable or the
/// membership table lost (<see cref="SiloStartFailure"/>, <see cref="MembershipWatchdog"/>).
/// </summary>
public static class SiloProgram
{
    /// <param name="environment">Environment variables to read instead of the process's (null: the process's), as the
    /// executable reads them: <c>THRESHER__WORKERTHREADS</c> is the key <c>THRESHER:WORKERTHREADS</c>.</param>
    /// <param name="stopping">Stops a silo that started (tests: a row that was not refused still ends).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken stopping = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        if (SiloCommandLine.WantsHelp(args))
        {
            await output.WriteLineAsync(SiloCommandLine.Help).ConfigureAwait(false);
            return 0;
        }
        args = SiloCommandLine.ExpandFlags(args);
        // An ASP.NET Core application whose services are the silo's: the web dashboard reads the run grains through them.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (environment is not null) ReplaceEnvironment(builder.Configuration, environment);
        builder.Configuration.AddCommandLine(args, SiloCommandLine.SwitchMappings);
        var (settings, refusal) = await CheckAsync(builder.Configuration, args).ConfigureAwait(false);
        if (settings is null)
        {
            builder.Configuration.Dispose(); // its file watchers (appsettings.json): a refused start leaves nothing behind
            return refusal!.Report(errors);
        }
        return await HostAsync(builder, settings, output, errors, stopping).ConfigureAwait(false);
    }

    /// <summary>The settings, or why the silo cannot start: bad configuration (2), a port taken or Redis unreachable (3).</summary>
    static async Task<(SiloSetup? Settings, SiloStartFailure? Refusal)> CheckAsync(IConfiguration configuration, string[] args)
    {
        SiloSetup settings;
        try
        {
            SiloCommandLine.Check(args);
            settings = SiloSetup.From(configuration);
        }
        catch (ThresherInputException e)
        {
            return (null, new SiloStartFailure(e.Message, SiloStartFailure.BadConfiguration));
        }
        return await SiloStartFailure.CheckAsync(settings).ConfigureAwait(false) is { } unavailable ? (null, unavailable) : (settings, null);
    }

    /// <summary>Builds and runs the silo until it is stopped (SIGTERM, or <paramref name="stopping"/>).</summary>
    static async Task<int> HostAsync(WebApplicationBuilder builder, SiloSetup settings, TextWriter output, TextWriter errors, CancellationToken stopping)
    {
        builder.Configuration.AddInMemoryCollection(settings.OrleansConfiguration());
        builder.UseOrleans(silo => settings.Apply(silo, builder.Configuration));
        builder.AddThresherDashboard(settings.Dashboard);
        await using var host = builder.Build();
        if (settings.Dashboard is not null) host.MapThresherDashboard();
        try
        {
            await host.StartAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (Environment.GetEnvironmentVariable("THRESHER_DEBUG") is not null) await errors.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return SiloStartFailure.From(e, settings).Report(errors);
        }
        if (host.DashboardUrl() is { } url) await output.WriteLineAsync($"thresher-silo: dashboard {url}").ConfigureAwait(false);
        await output.WriteLineAsync(settings.Describe(host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>())).ConfigureAwait(false);
        await host.WaitForShutdownAsync(stopping).ConfigureAwait(false);
        return MembershipWatchdog.ExitCode ?? 0; // 3: the membership table lost this silo (see MembershipWatchdog)
    }

    /// <summary>
    /// The process's environment-variable source replaced, in its place (so in its priority), by <paramref name="environment"/>
    /// under the same key rule: "__" separates sections.
    /// </summary>
    static void ReplaceEnvironment(ConfigurationManager configuration, IReadOnlyDictionary<string, string> environment)
    {
        var sources = configuration.Sources;
        var keys = environment.ToDictionary(e => e.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < sources.Count; i++)
        {
            // The unprefixed source is the one appsettings.json yields to; prefixed ones (DOTNET_, ASPNETCORE_) are the host's own.
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
                sources[i] = new MemoryConfigurationSource { InitialData = keys };
        }
    }
}
