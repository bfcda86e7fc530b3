using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Thresher.Client.Tests;

/// <summary>Which ports a process holds established TCP connections to, read from `ss -tnp` (iproute2): e.g. the gateway a client uses.</summary>
static partial class TcpPeers
{
    public static async Task<int[]> PortsAsync(int pid)
    {
        var start = new ProcessStartInfo("ss", ["-tnpH", "state", "established"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var ss = Process.Start(start) ?? throw new InvalidOperationException("ss did not start");
        string output = await ss.StandardOutput.ReadToEndAsync();
        await ss.WaitForExitAsync();
        // Each line: Recv-Q Send-Q Local:Port Peer:Port users:(("dotnet",pid=N,fd=M))
        return [.. output.Split('\n')
            .Where(line => line.Contains($"pid={pid},", StringComparison.Ordinal))
            .Select(line => Peer().Match(line))
            .Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Distinct()];
    }

    /// <summary>Bytes received and not yet read on <paramref name="pid"/>'s connections from local port <paramref name="port"/> (its Recv-Q): requests a stopped process holds unanswered.</summary>
    public static async Task<long> UnreadAsync(int pid, int port)
    {
        var start = new ProcessStartInfo("ss", ["-tnpH", "state", "established"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var ss = Process.Start(start) ?? throw new InvalidOperationException("ss did not start");
        string output = await ss.StandardOutput.ReadToEndAsync();
        await ss.WaitForExitAsync();
        return output.Split('\n')
            .Where(line => line.Contains($"pid={pid},", StringComparison.Ordinal))
            .Select(line => Unread().Match(line))
            .Where(m => m.Success && m.Groups[2].Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^\s*(\d+)\s+\d+\s+\S+:(\d+)\s")]
    private static partial Regex Unread();

    [GeneratedRegex(@"^\s*\d+\s+\d+\s+\S+\s+\S+:(\d+)\s")]
    private static partial Regex Peer();
}
