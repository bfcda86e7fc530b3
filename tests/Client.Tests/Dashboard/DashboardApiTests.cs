using System.Net;
using System.Text.Json;

namespace Thresher.Client.Tests.Dashboard;

[CollectionDefinition("dashboard")]
public sealed class DashboardCollection : ICollectionFixture<DashboardSilo>;

/// <summary>The dashboard's JSON endpoints over plain HTTP, against a real silo process and a finished run.</summary>
[Collection("dashboard")]
public sealed class DashboardApiTests(DashboardSilo dashboard)
{
    [DataMnistFact]
    public async Task Runs_lists_the_run_with_its_state_counts_and_alert()
    {
        var runs = await dashboard.GetJson("api/runs");
        var run = runs.EnumerateArray().Single(r => r.GetProperty("run_id").GetString() == DashboardSilo.RunId);

        Assert.Equal("completed", run.GetProperty("state").GetString());
        Assert.Equal(DashboardSilo.Steps, run.GetProperty("step").GetInt64());
        Assert.Equal(DashboardSilo.Steps, run.GetProperty("total_steps").GetInt64());
        Assert.True(run.GetProperty("skipped_steps").GetInt32() > 0);
        Assert.Equal("nonfinite", run.GetProperty("last_alert").GetProperty("reason").GetString());
        Assert.Equal("NaN", run.GetProperty("last_global_norm").GetString());
        Assert.Single(run.GetProperty("silos").EnumerateArray());
    }

    [DataMnistFact]
    public async Task History_has_every_step_and_the_nonfinite_alert()
    {
        var history = await dashboard.GetJson($"api/runs/{DashboardSilo.RunId}/history");

        Assert.False(history.GetProperty("downsampled").GetBoolean());
        Assert.Equal(Enumerable.Range(0, DashboardSilo.Steps).Select(i => (long)i), history.GetProperty("step").EnumerateArray().Select(s => s.GetInt64()));
        var norms = history.GetProperty("global_norm").EnumerateArray().ToArray();
        Assert.Equal(JsonValueKind.Number, norms[0].ValueKind);
        Assert.Equal(JsonValueKind.Null, norms[^1].ValueKind); // NaN is a gap
        Assert.Equal(6, history.GetProperty("tensor_norms").GetArrayLength());
        Assert.Equal(2, history.GetProperty("worker_norms").GetArrayLength());
        var rates = history.GetProperty("learning_rate").EnumerateArray().ToArray(); // the tutorial's constant 0.01, every step
        Assert.Equal(DashboardSilo.Steps, rates.Length);
        Assert.All(rates, r => Assert.Equal(0.01, r.GetDouble(), 1e-6));
        Assert.Contains(history.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("reason").GetString() == "nonfinite");
    }

    [DataMnistFact]
    public async Task History_downsamples_to_the_points_asked_and_keeps_the_largest_norm()
    {
        var all = await dashboard.GetJson($"api/runs/{DashboardSilo.RunId}/history");
        var few = await dashboard.GetJson($"api/runs/{DashboardSilo.RunId}/history?points=10");
        double Largest(JsonElement h) => h.GetProperty("global_norm").EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Max(v => v.GetDouble());

        Assert.True(few.GetProperty("downsampled").GetBoolean());
        Assert.InRange(few.GetProperty("step").GetArrayLength(), 5, DashboardSilo.Steps - 1);
        Assert.Equal(Largest(all), Largest(few));
    }

    [DataMnistFact]
    public async Task History_of_a_step_range_is_that_range_at_full_resolution()
    {
        var range = await dashboard.GetJson($"api/runs/{DashboardSilo.RunId}/history?from=5&to=12&points=100");
        Assert.Equal([5L, 6, 7, 8, 9, 10, 11], range.GetProperty("step").EnumerateArray().Select(s => s.GetInt64()));
        Assert.Equal(5, range.GetProperty("from").GetInt64());
    }

    [DataMnistFact]
    public async Task Bad_options_and_unknown_runs_are_answered_with_the_reason()
    {
        using var badPoints = await dashboard.Http.GetAsync(new Uri(dashboard.Url, $"api/runs/{DashboardSilo.RunId}/history?points=1"));
        Assert.Equal(HttpStatusCode.BadRequest, badPoints.StatusCode);
        Assert.Equal("points '1': expected a whole number in 2..100000", await Error(badPoints));

        using var badRange = await dashboard.Http.GetAsync(new Uri(dashboard.Url, $"api/runs/{DashboardSilo.RunId}/history?from=9&to=3"));
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);

        using var unknown = await dashboard.Http.GetAsync(new Uri(dashboard.Url, "api/runs/no-such-run/history"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.StartsWith("run 'no-such-run': no such run", await Error(unknown), StringComparison.Ordinal);
    }

    static async Task<string?> Error(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

    [DataMnistFact]
    public async Task Cluster_shows_the_silo_with_the_runs_grains()
    {
        var cluster = await dashboard.GetJson("api/cluster");
        var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray());

        Assert.Equal("active", silo.GetProperty("status").GetString());
        Assert.Equal(dashboard.Silo.Gateway, silo.GetProperty("gateway").GetString());
        Assert.Contains(DashboardSilo.RunId, silo.GetProperty("runs").EnumerateArray().Select(r => r.GetString()));
    }

    [DataMnistFact]
    public async Task Pages_scripts_the_chart_library_and_the_orleans_dashboard_are_served()
    {
        foreach (var (path, expected) in new[]
        {
            ("", "/static/runs.js"), ($"runs/{DashboardSilo.RunId}", "uPlot.iife.min.js"), ("cluster", "/static/cluster.js"),
            ("static/vendor/uplot/uPlot.iife.min.js", "uPlot"), ("static/vendor/uplot/LICENSE.txt", "MIT License"), ("orleans/", "<html"),
        })
        {
            using var response = await dashboard.Http.GetAsync(new Uri(dashboard.Url, path));
            Assert.True(response.IsSuccessStatusCode, $"GET /{path}: {response.StatusCode}");
            Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
    }
}
