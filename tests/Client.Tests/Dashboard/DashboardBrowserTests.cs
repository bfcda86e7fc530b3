using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Thresher.Client.Tests.Dashboard;

/// <summary>
/// The dashboard's pages in a real browser: Debian's chromium, driven by Playwright's driver (bundled with the
/// NuGet package, so nothing is downloaded). Every page leaves a screenshot under the test output's
/// artifacts/dashboard folder (the path is printed).
/// </summary>
[Collection("dashboard")]
public sealed class DashboardBrowserTests(DashboardSilo dashboard, ITestOutputHelper output) : IAsyncLifetime
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    IPlaywright? _playwright;
    IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (new ChromiumFactAttribute().Skip is not null) return;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], // root in a container has no user namespaces for the sandbox
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }

    async Task<IPage> Open(string path)
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1200 } });
        page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        page.PageError += (_, e) => output.WriteLine($"page error on /{path}: {e}");
        await page.GotoAsync(new Uri(dashboard.Url, path).ToString());
        return page;
    }

    async Task Screenshot(IPage page, string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        output.WriteLine($"screenshot: {file}");
    }

    [ChromiumFact]
    public async Task The_run_page_charts_the_run_and_lists_the_nonfinite_alert()
    {
        var page = await Open($"runs/{DashboardSilo.RunId}");

        // Conditions with a timeout, checked by the browser as the page fills (overview, then the event stream).
        await page.WaitForFunctionAsync("() => Number(document.querySelector('#chart-norm')?.dataset.points ?? 0) >= 20");
        var alert = page.Locator("#alerts tbody tr[data-reason='nonfinite']");
        await alert.First.WaitForAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-field=\"state\"]')?.textContent === 'completed'");

        Assert.Contains("global norm is NaN", await alert.First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(DashboardSilo.Steps, int.Parse(await page.Locator("#chart-loss").GetAttributeAsync("data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(6, await page.Locator(".uplot canvas").CountAsync()); // six uPlot charts drew (norms, loss, tensors, workers, accuracy, learning rate)
        Assert.Contains("mse", await page.Locator("#config").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshot(page, "run");

        // An alert's step link zooms every chart to the steps around it, at full resolution.
        await alert.First.Locator("a").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#resolution').textContent.includes('every step')");
        Assert.False(await page.Locator("#reset").IsDisabledAsync());
        await Screenshot(page, "run-zoomed");
    }

    [ChromiumFact]
    public async Task A_clipped_run_draws_the_clip_threshold_beside_the_norms()
    {
        var page = await Open($"runs/{DashboardSilo.ClippedRunId}");

        await page.WaitForFunctionAsync("() => Number(document.querySelector('#chart-norm')?.dataset.points ?? 0) >= 20");
        Assert.Contains("clip 15", await page.Locator("#chart-norm .u-legend").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshot(page, "run-clipped");
    }

    [ChromiumFact]
    public async Task The_runs_page_lists_the_run_with_a_link_to_it()
    {
        var page = await Open("");
        var row = page.Locator($"#runs tbody tr[data-run='{DashboardSilo.RunId}']");
        await row.WaitForAsync();

        string text = await row.InnerTextAsync();
        Assert.Contains("completed", text, StringComparison.Ordinal);
        Assert.Contains($"{DashboardSilo.Steps}/{DashboardSilo.Steps}", text, StringComparison.Ordinal);
        Assert.Contains("nonfinite", text, StringComparison.Ordinal);
        await Screenshot(page, "runs");

        await row.Locator("a").ClickAsync();
        await page.WaitForURLAsync($"**/runs/{DashboardSilo.RunId}");
    }

    [ChromiumFact]
    public async Task The_cluster_page_shows_the_silo_and_what_it_hosts()
    {
        var page = await Open("cluster");
        var row = page.Locator("#silos tbody tr").First;
        await row.WaitForAsync();

        string text = await row.InnerTextAsync();
        Assert.Contains("active", text, StringComparison.Ordinal);
        Assert.Contains(dashboard.Silo.Gateway, text, StringComparison.Ordinal);
        Assert.Contains(DashboardSilo.RunId, text, StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => document.querySelector('#totals').textContent.startsWith('1 active silo')");
        await Screenshot(page, "cluster");
    }

    [ChromiumFact]
    public async Task The_orleans_dashboard_is_mounted_under_orleans()
    {
        var page = await Open("orleans/");
        await page.WaitForFunctionAsync("() => document.body.innerText.length > 100");
        await Screenshot(page, "orleans");
        Assert.Contains("/orleans/", page.Url, StringComparison.Ordinal);
    }
}
