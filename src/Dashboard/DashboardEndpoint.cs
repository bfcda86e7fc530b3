using System.Globalization;
using System.Net;

namespace Thresher.Dashboard;

/// <summary>
/// Where the dashboard listens: an address of this host (loopback unless asked otherwise, since the dashboard has
/// no authentication) and a TCP port; port 0 lets the system pick a free one (the host prints the URL).
/// </summary>
public sealed record DashboardEndpoint(IPAddress Bind, int Port)
{
    /// <summary>thresher-silo's port when none is given.</summary>
    public const int DefaultSiloPort = 8080;

    /// <summary>
    /// Reads --dashboard-bind and --dashboard-port (null: the defaults, loopback and <paramref name="defaultPort"/>).
    /// Throws <see cref="ThresherInputException"/> naming the bad value and what is accepted.
    /// </summary>
    public static DashboardEndpoint Parse(string? bind, string? port, int defaultPort)
    {
        var address = IPAddress.Loopback;
        if (bind is not null && !IPAddress.TryParse(bind, out address))
            throw new ThresherInputException($"dashboard-bind '{bind}': not an IP address; expected e.g. 127.0.0.1 (loopback, the default) or 0.0.0.0 (every interface: anyone who reaches this host sees the dashboard)");
        int number = defaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number > 65535))
            throw new ThresherInputException($"dashboard-port '{port}': expected a port number in 0..65535 (0 = a free port, printed at start)");
        return new DashboardEndpoint(address, number);
    }
}
