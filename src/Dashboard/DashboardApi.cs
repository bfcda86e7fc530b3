using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Thresher.Dashboard;

/// <summary>
/// The dashboard's JSON endpoints (README "Dashboard"). Names are snake_case, states lower case; NaN and ±∞ in a
/// status are the strings "NaN", "Infinity", "-Infinity", and null in history columns (a gap in a chart).
/// </summary>
static class DashboardApi
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/runs", async (RunHistoryCache runs) =>
            Results.Json(await Task.WhenAll((await runs.RunIdsAsync()).Select(runs.StatusAsync)), Json));
        api.MapGet("/runs/{id}", async (string id, RunHistoryCache runs) =>
            await runs.KnowsAsync(id) ? Results.Json(await runs.StatusAsync(id), Json) : UnknownRun(id));
        api.MapGet("/runs/{id}/history", History);
        api.MapGet("/runs/{id}/events", Events);
        api.MapGet("/cluster", async (HttpRequest request, IGrainFactory grains) =>
            Results.Json(new ClusterView(await ClusterView.ReadAsync(grains, request.Query["all"] == "true")), Json));
    }

    /// <summary>?from=STEP&amp;to=STEP&amp;points=N: steps from ≤ step &lt; to (default: all), about N rows (default 2000).</summary>
    static async Task<IResult> History(string id, HttpRequest request, RunHistoryCache runs, CancellationToken cancellation)
    {
        if (!await runs.KnowsAsync(id)) return UnknownRun(id);
        if (Query(request, "from", 0, 0, long.MaxValue, out long from) is { } badFrom) return badFrom;
        if (Query(request, "to", long.MaxValue, 0, long.MaxValue, out long to) is { } badTo) return badTo;
        if (Query(request, "points", HistoryWindow.DefaultPoints, HistoryWindow.MinPoints, HistoryWindow.MaxPoints, out long points) is { } badPoints) return badPoints;
        if (to < from) return BadRequest($"to {to}: must not be below from {from}");
        var run = await runs.ReadAsync(id, cancellation);
        long end = run.Records.Length == 0 ? 0 : run.Records[^1].Step + 1;
        return Results.Json(HistoryWindow.Of(run, from, Math.Min(to, end), (int)points), Json);
    }

    /// <summary>?from=STEP (or the browser's Last-Event-ID + 1): the first step the page does not have.</summary>
    static async Task Events(string id, HttpContext http, RunHistoryCache runs)
    {
        if (!await runs.KnowsAsync(id))
        {
            await UnknownRun(id).ExecuteAsync(http);
            return;
        }
        if (Query(http.Request, "from", 0, 0, long.MaxValue, out long from) is { } bad)
        {
            await bad.ExecuteAsync(http);
            return;
        }
        if (long.TryParse(http.Request.Headers["Last-Event-ID"], NumberStyles.None, CultureInfo.InvariantCulture, out long lastSent))
            from = lastSent + 1;
        await RunEventStream.WriteAsync(http, runs, id, from, Json);
    }

    /// <summary>Reads a whole-number query option; a bad one becomes a 400 naming it and its range.</summary>
    static IResult? Query(HttpRequest request, string name, long fallback, long min, long max, out long value)
    {
        value = fallback;
        string? text = request.Query[name];
        if (text is null) return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max) return null;
        return BadRequest(max == long.MaxValue
            ? $"{name} '{text}': expected a step number ≥ {min}"
            : $"{name} '{text}': expected a whole number in {min}..{max}");
    }

    static IResult BadRequest(string message) => Results.Json(new { error = message }, Json, statusCode: StatusCodes.Status400BadRequest);

    static IResult UnknownRun(string id) => Results.Json(new { error = $"run '{id}': no such run on this cluster (GET /api/runs lists them)" }, Json, statusCode: StatusCodes.Status404NotFound);
}
