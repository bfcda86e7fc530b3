using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Thresher.Client.Tests;

/// <summary>
/// The Redis server the multi-silo tests keep their membership tables in: THRESHER_TEST_REDIS (HOST:PORT,
/// which .ci/run starts and exports), else a redis-server of our own on a free loopback port, stopped on
/// dispose. Each test cluster uses its own cluster id, so tests sharing one server do not meet.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IDisposable
{
    public const string Variable = "THRESHER_TEST_REDIS";

    Process? _process;
    readonly string? _directory; // its append-only file, removed with it
    readonly int _port;

    public RedisServer() : this(own: false) { }

    /// <summary>Always a redis-server of this test's own (never THRESHER_TEST_REDIS): for tests that empty, pause or restart it.</summary>
    public static RedisServer Own() => new(own: true);

    RedisServer(bool own)
    {
        if (!own && Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            Address = given;
        }
        else
        {
            _port = FreePorts(1);
            // Persistent like the shipped Redis (AOF in a folder of its own), so a test that restarts it keeps its data.
            _directory = Directory.CreateTempSubdirectory("thresher-test-redis-").FullName;
            _process = StartProcess();
            Address = $"127.0.0.1:{_port}";
        }
    }

    Process StartProcess()
    {
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--bind", "127.0.0.1", "--port", $"{_port}", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", _directory! })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Sends a signal (STOP, CONT, KILL) to a server of our own.</summary>
    public void Signal(string signal)
    {
        if (_process is not { HasExited: false } process) throw new InvalidOperationException("not a redis-server of this test's own");
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", $"{process.Id}"]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    /// <summary>kill -9, then the same server again on the same port and append-only file; returns once it answers.</summary>
    public async Task RestartAsync()
    {
        var old = _process ?? throw new InvalidOperationException("not a redis-server of this test's own");
        Signal("KILL");
        await old.WaitForExitAsync();
        old.Dispose();
        _process = StartProcess();
        await InitializeAsync();
    }

    /// <summary>Waits until the server answers PING (xunit calls this before the first test of the class).</summary>
    public async Task InitializeAsync()
    {
        await Wait.Until(() => _process is { HasExited: true } || Answers(), TimeSpan.FromSeconds(10), $"Redis to answer PING at {Address}");
        if (_process is { HasExited: true })
            throw new InvalidOperationException($"redis-server for {Address} exited with code {_process.ExitCode} before answering PING");
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask; // Dispose stops the server

    public string Address { get; }

    /// <summary>The redis-server process of our own now running (null for THRESHER_TEST_REDIS's).</summary>
    public int? Pid => _process?.Id;

    /// <summary>Why the Redis tests cannot run here, or null when they can.</summary>
    public static string? Unavailable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 }) return null;
        bool installed = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "redis-server")));
        return installed ? null : $"needs Redis: set {Variable}=HOST:PORT or install redis-server (apt-get install redis-server; .ci/run does)";
    }

    /// <summary>Sends one inline command (e.g. FLUSHALL) and returns the first line of the reply.</summary>
    public string Command(string command)
    {
        using var client = new TcpClient();
        client.Connect(IPEndPoint.Parse(Address));
        client.ReceiveTimeout = 5000;
        var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes(command + "\r\n"));
        var reply = new byte[256];
        int read = stream.Read(reply);
        return Encoding.ASCII.GetString(reply, 0, read).Split("\r\n")[0];
    }

    bool Answers()
    {
        try
        {
            var endpoint = IPEndPoint.Parse(Address);
            using var client = new TcpClient();
            client.Connect(endpoint);
            client.ReceiveTimeout = 2000;
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var reply = new byte[5];
            int read = stream.Read(reply);
            return Encoding.ASCII.GetString(reply, 0, read) == "+PONG";
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports (silo i gets first + i).</summary>
    public static int FreePorts(int count)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int first = Random.Shared.Next(20_000, 60_000 - count);
            var listeners = new List<TcpListener>();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var l = new TcpListener(IPAddress.Loopback, first + i);
                    l.Start();
                    listeners.Add(l);
                }
                return first;
            }
            catch (SocketException)
            {
                // taken: try another block
            }
            finally
            {
                foreach (var l in listeners) l.Stop();
            }
        }
        throw new InvalidOperationException($"found no {count} consecutive free loopback ports");
    }
}

/// <summary>A fact that needs Redis (see <see cref="RedisServer"/>).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute() => Skip = RedisServer.Unavailable();
}

/// <summary>A fact that needs Redis and the cached real MNIST.</summary>
public sealed class RedisMnistFactAttribute : FactAttribute
{
    public RedisMnistFactAttribute() => Skip = RedisServer.Unavailable() ?? new DataMnistFactAttribute().Skip;
}
