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

    [GeneratedRegex(@"^\s*\d+\s+\d+\s+\S+\s+\S+:(\d+)\s")]
    private static partial Regex Peer();
}
