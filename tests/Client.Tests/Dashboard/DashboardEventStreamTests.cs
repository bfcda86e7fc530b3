using System.Text.Json;

namespace Thresher.Client.Tests.Dashboard;

/// <summary>GET /api/runs/{id}/events: server-sent events read over plain HTTP, as a browser's EventSource does.</summary>
[Collection("dashboard")]
public sealed class DashboardEventStreamTests(DashboardSilo dashboard)
{
    sealed record Event(string Name, string? Id, JsonElement Data);

    /// <summary>Reads events until "end" (or "reload"); the stream must close by itself within the timeout.</summary>
    async Task<List<Event>> ReadAll(string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(dashboard.Url, path));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await dashboard.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(limit.Token));
        var events = new List<Event>();
        string? name = null, id = null;
        while (await reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(new Event(name!, id, JsonDocument.Parse(line[6..]).RootElement.Clone()));
                (name, id) = (null, null);
            }
        }
        return events;
    }

    static long[] Steps(IEnumerable<Event> events)
        => [.. events.Where(e => e.Name == "steps").SelectMany(e => e.Data.GetProperty("step").EnumerateArray().Select(s => s.GetInt64()))];

    [DataMnistFact]
    public async Task A_finished_run_streams_its_status_every_step_and_the_end()
    {
        var events = await ReadAll($"api/runs/{DashboardSilo.RunId}/events");

        Assert.Equal("status", events[0].Name);
        Assert.Equal("completed", events[0].Data.GetProperty("state").GetString());
        Assert.Equal(Enumerable.Range(0, DashboardSilo.Steps).Select(i => (long)i), Steps(events));
        Assert.Equal($"{DashboardSilo.Steps - 1}", events.Last(e => e.Name == "steps").Id);
        Assert.Contains(events.Where(e => e.Name == "steps").SelectMany(e => e.Data.GetProperty("alerts").EnumerateArray()),
            a => a.GetProperty("reason").GetString() == "nonfinite");
        Assert.Equal("end", events[^1].Name);
    }

    [DataMnistFact]
    public async Task A_stream_starts_after_the_steps_the_page_has()
    {
        long[] fromQuery = Steps(await ReadAll($"api/runs/{DashboardSilo.RunId}/events?from=57"));
        // A reconnecting browser sends the id of the last event it got; that wins over ?from.
        long[] fromLastEvent = Steps(await ReadAll($"api/runs/{DashboardSilo.RunId}/events?from=0", lastEventId: "58"));

        Assert.Equal(new long[] { 57, 58, 59 }, fromQuery);
        Assert.Equal(new long[] { 59 }, fromLastEvent);
    }

    [DataMnistFact]
    public async Task A_running_run_pushes_its_steps_as_they_come_each_once()
    {
        const int steps = 400;
        var (code, stdout, stderr) = await CliRunner.RunExecutable("submit", "--gateway", dashboard.Silo.Gateway, "--cluster-id", "thresher-dashboard",
            "--preset", "tutorial", "--steps", $"{steps}", "--run-id", "dash-live");
        Assert.True(code == 0, $"submit: exit {code}\n{stdout}{stderr}");

        var events = await ReadAll("api/runs/dash-live/events");

        Assert.Equal(Enumerable.Range(0, steps).Select(i => (long)i), Steps(events));
        Assert.True(events.Count(e => e.Name == "steps") >= 2, $"the steps came in one event; expected them pushed while the run went on: {events.Count} events");
        Assert.Contains(events, e => e.Name == "status" && e.Data.GetProperty("state").GetString() == "running");
        Assert.Equal("end", events[^1].Name);
    }
}
