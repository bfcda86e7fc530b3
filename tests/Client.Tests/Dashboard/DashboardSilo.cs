using System.Net.Http.Json;
using System.Text.Json;

namespace Thresher.Client.Tests.Dashboard;

/// <summary>
/// One real thresher-silo process with its dashboard on a free loopback port, and one finished
/// `tutorial-unclipped` run on it (60 steps: the norm explodes, goes NaN at step 8, and the rest are skipped),
/// shared by the dashboard's HTTP and browser tests. Stopped by PID (SIGTERM) on dispose. Without real MNIST
/// nothing is started: those tests are then skipped (DataMnistFact) and say why.
/// </summary>
public sealed class DashboardSilo : IAsyncLifetime
{
    public const string RunId = "dash-unclipped";
    public const int Steps = 60;

    /// <summary>The same 60 steps clipped at 15 (preset tutorial): it trains.</summary>
    public const string ClippedRunId = "dash-clipped";

    SiloProcess? _silo;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("no silo: real MNIST is missing, so the tests using it are skipped");

    public Uri Url => Silo.DashboardUrl ?? throw new InvalidOperationException($"the silo printed no dashboard URL: {Silo.Output}");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        if (new DataMnistFactAttribute().Skip is not null) return;
        _silo = await SiloProcess.StartAsync(clusterId: "thresher-dashboard", dashboard: true);
        foreach (var (preset, runId) in new[] { ("tutorial-unclipped", RunId), ("tutorial", ClippedRunId) })
        {
            var (code, stdout, stderr) = await CliRunner.RunExecutable("submit", "--gateway", Silo.Gateway, "--cluster-id", "thresher-dashboard",
                "--preset", preset, "--steps", $"{Steps}", "--run-id", runId);
            Assert.True(code == 0, $"submit: exit {code}\n{stdout}{stderr}");
        }
        foreach (var runId in new[] { RunId, ClippedRunId })
        {
            await Wait.For(() => GetJson($"api/runs/{runId}"), s => s.GetProperty("state").GetString() == "completed",
                TimeSpan.FromMinutes(3), $"run {runId} to complete", s => s.GetRawText());
        }
    }

    public async Task<JsonElement> GetJson(string path) => await Http.GetFromJsonAsync<JsonElement>(new Uri(Url, path));

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_silo is not null) await _silo.DisposeAsync();
    }
}

/// <summary>A fact that needs real MNIST (the run) and Debian's chromium (the browser); skipped, saying which is missing.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>The browser the tests drive: THRESHER_TEST_CHROMIUM, else Debian's /usr/bin/chromium.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("THRESHER_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public ChromiumFactAttribute()
        => Skip = new DataMnistFactAttribute().Skip ?? (File.Exists(Executable) ? null
            : $"needs a Chromium browser at {Executable} (apt-get install chromium; scripts/test.sh installs it) or THRESHER_TEST_CHROMIUM=PATH");
}
