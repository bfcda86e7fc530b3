using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Thresher.Silo;

/// <summary>
/// Why a silo could not start: one line for stderr ("thresher-silo: …") and the documented exit code.
/// The usual causes (a port taken, Redis down) are checked before Orleans starts, so its log shows no stack
/// trace for them; whatever still fails inside Orleans' start is mapped here too.
/// </summary>
sealed record SiloStartFailure(string Message, int ExitCode)
{
    public const int Failed = 1;
    public const int BadConfiguration = 2;
    public const int Unavailable = 3;

    /// <summary>Null when this silo's ports are free and its Redis answers.</summary>
    public static async Task<SiloStartFailure?> CheckAsync(SiloSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return PortsFree(setup) ?? (setup.RedisConnection is { } redis ? await RedisAnswersAsync(redis).ConfigureAwait(false) : null);
    }

    public static SiloStartFailure From(Exception error, SiloSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }:
                    return new($"silo port {setup.SiloPort} or gateway port {setup.GatewayPort} is already in use (another silo?); pick free ones with --silo-port and --gateway-port", Unavailable);
                case RedisConnectionException redis:
                    return Unreachable(setup.RedisConnection ?? SiloSetup.DefaultRedis, redis);
                case ThresherInputException or OrleansConfigurationException:
                    return new(e.Message, BadConfiguration);
            }
        }
        return new($"failed to start: {error.GetType().Name}: {error.Message} (set THRESHER_DEBUG=1 for details)", Failed);
    }

    /// <summary>Prints the line on <paramref name="errors"/> (the process: stderr) and returns the exit code.</summary>
    public int Report(TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.WriteLine($"thresher-silo: {Message}");
        return ExitCode;
    }

    static SiloStartFailure? PortsFree(SiloSetup setup)
    {
        if (setup.Kubernetes) return null; // the pod's address, known only to UseKubernetesHosting
        var address = setup.ListenOnAny ? IPAddress.Any : setup.AdvertisedIp;
        if (address is null) return null; // 'auto': Orleans picks the address; a clash then surfaces from its start
        return PortFree("silo", "--silo-port", address, setup.SiloPort) ?? PortFree("gateway", "--gateway-port", address, setup.GatewayPort)
            ?? (setup.Dashboard is { } web ? PortFree("dashboard", "--dashboard-port (or --no-dashboard)", web.Bind, web.Port, "dashboard-bind") : null);
    }

    /// <param name="addressOption">The setting that named <paramref name="address"/>, for the message when it is not this host's.</param>
    static SiloStartFailure? PortFree(string what, string option, IPAddress address, int port, string addressOption = "advertised-ip")
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return new($"{what} port {port} on {address} is already in use (another silo?); pick a free one with {option}", Unavailable);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            return new($"{addressOption} {address}: not an address of this host, so the silo cannot listen there; give one of its addresses{(addressOption == "advertised-ip" ? ", or 'auto'" : "")}", BadConfiguration);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            return new($"{what} port {port}: permission denied (ports below 1024 need privileges); pick another with {option}", BadConfiguration);
        }
    }

    static async Task<SiloStartFailure?> RedisAnswersAsync(string connection)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connection);
        }
        catch (ArgumentException e)
        {
            return new($"redis '{connection}': not a Redis address or StackExchange.Redis configuration ({e.Message}); expected HOST:PORT", BadConfiguration);
        }
        options.AbortOnConnectFail = true; // what Orleans' Redis membership does: fail now, not retry forever
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 10_000);
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
            return null;
        }
        catch (RedisConnectionException e)
        {
            return Unreachable(connection, e);
        }
    }

    /// <summary>Names the endpoints only: a configuration string may hold a password.</summary>
    static SiloStartFailure Unreachable(string connection, RedisConnectionException e)
    {
        string where = ConfigurationOptions.Parse(connection).EndPoints is { Count: > 0 } endpoints
            ? string.Join(", ", endpoints.Select(EndPointCollection.ToString))
            : connection;
        return new($"cannot reach redis at {where} ({e.FailureType}); is redis-server running there? (--redis HOST:PORT)", Unavailable);
    }
}
