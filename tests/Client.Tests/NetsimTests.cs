using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Thresher.Client.Tests;

/// <summary>
/// deploy/netsim.sh as CI runs it: a short run on 3 simulated machines (network namespaces, a bridge, tbf-shaped
/// links), then nothing of it left — no namespace, no recorded process, no silo of its cluster. Needs root, iproute2,
/// redis-server, the built tree and MNIST; skipped with the reason otherwise.
/// </summary>
public sealed partial class NetsimTests : IDisposable
{
    static readonly string Script = Path.Combine(DeployTests.FindRepo(), "deploy", "netsim.sh");
    // Short (interface names stop at 15 characters) and unique per test process; "x4" pads a small pid (a container's
    // pid 1 is "0001") and keeps four hex digits of a large one.
    readonly string _name = "t" + (Environment.ProcessId & 0xFFFF).ToString("x4", CultureInfo.InvariantCulture) + Random.Shared.Next(100, 999).ToString(CultureInfo.InvariantCulture);
    readonly string _out = Directory.CreateTempSubdirectory("thresher-netsim-test-").FullName;

    public void Dispose()
    {
        Run(["down", "--name", _name], TimeSpan.FromSeconds(60)).Wait(); // a failed test must not leave namespaces either
        Directory.Delete(_out, recursive: true);
    }

    [NetsimFact]
    public async Task A_short_run_on_three_hosts_with_remote_workers_reports_throughput_and_leaves_nothing_behind()
    {
        var (code, stdout, stderr) = await Run(
            ["run", "--machines", "3", "--rate", "1gbit", "--workers", "2", "--steps", "30", "--batch", "64", "--placement", "remote", "--name", _name, "--out", _out],
            TimeSpan.FromMinutes(6));
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");

        var line = ResultLine().Match(stdout);
        Assert.True(line.Success, $"no result line in: {stdout}\n{stderr}");
        Assert.True(double.Parse(line.Groups["steady"].Value, CultureInfo.InvariantCulture) > 0, line.Value);
        // --placement remote: host 1 (the parameter server's) hosts no worker, so every payload crossed a link.
        long received = long.Parse(line.Groups["in"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(received, long.Parse(line.Groups["remoteIn"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(2L * 4 * 535_818, received); // two workers' gradients of the 784-512-256-10 MLP (535,818 parameters)
        Assert.DoesNotContain("198.18.0.1:", line.Groups["silos"].Value, StringComparison.Ordinal);
        Assert.Contains("198.18.0.", line.Groups["silos"].Value, StringComparison.Ordinal);
        AssertTornDown();
    }

    [NetsimFact]
    public async Task An_interrupted_run_tears_down_what_it_built()
    {
        var process = Start(["run", "--machines", "3", "--steps", "30", "--name", _name, "--out", _out]);
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        string Seen() { lock (stderr) return stderr.ToString(); }
        await Wait.Until(() => Seen().Contains("on bridge", StringComparison.Ordinal) || process.HasExited, TimeSpan.FromMinutes(2), "netsim to build its hosts");
        Assert.False(process.HasExited, Seen());
        Assert.Contains($"{_name}-h3", await Namespaces(), StringComparison.Ordinal);

        Assert.Equal(0, Kill(process.Id, 15)); // SIGTERM to the script alone, as a supervisor would send it
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("torn down", Seen(), StringComparison.Ordinal);
        AssertTornDown();
    }

    void AssertTornDown()
    {
        Assert.DoesNotContain($"{_name}-", Namespaces().Result, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/run/thresher-netsim/{_name}"), "the recorded PIDs must be gone with their processes");
        var left = Directory.GetDirectories("/proc").Select(d => Path.Combine(d, "cmdline")).Where(File.Exists)
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return ""; } })
            .Where(c => c.Contains($"netsim-{_name} ", StringComparison.Ordinal))
            .ToArray();
        Assert.True(left.Length == 0, "silos of the simulated cluster still run: " + string.Join(" | ", left));
    }

    static async Task<string> Namespaces()
    {
        using var p = Process.Start(new ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true })!;
        string list = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return list;
    }

    static Process Start(string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Script);
        foreach (string a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    static async Task<(int Code, string Stdout, string Stderr)> Run(string[] args, TimeSpan timeout)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process.Id, 15);
            await process.WaitForExitAsync();
            return (-1, await stdout, await stderr + $"\n(timed out after {timeout})");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"netsim: .*: (?<steady>[0-9]+) samples/s steady, .* ps in (?<in>[0-9]+) \(remote (?<remoteIn>[0-9]+)\).*worker silos: (?<silos>.*)")]
    private static partial Regex ResultLine();
}

/// <summary>Runs where simulated machines can be built: root, iproute2, redis-server, the built tree and MNIST.</summary>
public sealed class NetsimFactAttribute : FactAttribute
{
    public NetsimFactAttribute() => Skip = Unavailable();

    static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux()) return "network namespaces are Linux's";
        if (Environment.UserName != "root") return "network namespaces need root: run the tests as root to cover deploy/netsim.sh";
        foreach (string tool in new[] { "ip", "tc", "redis-server" })
            if (!Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
                return $"'{tool}' is not installed (apt-get install iproute2 redis-server)";
        string repo = DeployTests.FindRepo();
        if (!File.Exists(Path.Combine(repo, "artifacts", "bin", "Thresher.Silo", "release", "thresher-silo.dll")))
            return "no Release build of the silo (dotnet build Thresher.slnx -c Release)";
        if (new DataMnistFactAttribute().Skip is { } noMnist) return noMnist;
        string probe = $"thrprobe{Environment.ProcessId}";
        using var add = Process.Start(new ProcessStartInfo("ip", $"netns add {probe}") { RedirectStandardError = true })!;
        string error = add.StandardError.ReadToEnd();
        add.WaitForExit();
        if (add.ExitCode != 0) return $"cannot make a network namespace here ({error.Trim()})";
        using var del = Process.Start("ip", $"netns delete {probe}");
        del.WaitForExit();
        return null;
    }
}
