using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Thresher.Abstractions;

namespace Thresher.Dashboard;

/// <summary>
/// <c>GET /api/runs/{id}/events</c>: one server-sent event stream per open run page, which pushes what every chart
/// needs (no chart polls). Events, each a JSON document:
/// <list type="bullet">
/// <item><c>status</c>: the run's status (as <c>GET /api/runs/{id}</c>), whenever it changed;</item>
/// <item><c>steps</c>: the steps recorded since the last one sent, every one (a <see cref="HistoryWindow"/>);
/// its event id is the last step, so a reconnecting browser (Last-Event-ID) goes on after it;</item>
/// <item><c>reload</c>: the page is more than <see cref="MaxRows"/> steps behind, or a resume rewrote the history:
/// fetch the overview again and reconnect;</item>
/// <item><c>end</c>: the run is finished and every step was sent; the stream closes.</item>
/// </list>
/// </summary>
public static class RunEventStream
{
    /// <summary>How often the stream looks for new steps.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Most steps one <c>steps</c> event carries before the page is asked to reload instead.</summary>
    public const int MaxRows = 5000;

    static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(15);

    /// <summary>Streams until the run ends or the browser goes away; <paramref name="from"/> is the first step the page lacks.</summary>
    public static async Task WriteAsync(HttpContext http, RunHistoryCache runs, string runId, long from, JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(runs);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var cancellation = http.RequestAborted;
        string? lastStatus = null;
        int? resumes = null;
        long next = from;
        var sincePing = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                var run = await runs.ReadAsync(runId, cancellation).ConfigureAwait(false);
                string status = JsonSerializer.Serialize(run.Status, json);
                if (status != lastStatus) await SendAsync(response, "status", null, lastStatus = status, cancellation).ConfigureAwait(false);
                long end = run.Records.Length == 0 ? 0 : run.Records[^1].Step + 1;
                resumes ??= run.Status.Resumes;
                if (end - next > MaxRows || next > end || resumes != run.Status.Resumes)
                {
                    await SendAsync(response, "reload", null, "{}", cancellation).ConfigureAwait(false);
                    return;
                }
                if (end > next)
                {
                    var steps = HistoryWindow.Of(run, next, end, HistoryWindow.MaxPoints);
                    await SendAsync(response, "steps", (end - 1).ToString(CultureInfo.InvariantCulture), JsonSerializer.Serialize(steps, json), cancellation).ConfigureAwait(false);
                    next = end;
                }
                if (run.Status.State.IsFinished())
                {
                    await SendAsync(response, "end", null, "{}", cancellation).ConfigureAwait(false);
                    return;
                }
                if (sincePing.Elapsed > PingEvery)
                {
                    await response.WriteAsync(": ping\n\n", cancellation).ConfigureAwait(false);
                    await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
                    sincePing.Restart();
                }
                await Task.Delay(Interval, cancellation).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The page was closed: nothing more to send.
        }
    }

    /// <summary>One event: "event:", optional "id:", one "data:" line (JSON has no raw newlines), a blank line.</summary>
    static async Task SendAsync(HttpResponse response, string name, string? id, string data, CancellationToken cancellation)
    {
        string text = id is null ? $"event: {name}\ndata: {data}\n\n" : $"event: {name}\nid: {id}\ndata: {data}\n\n";
        await response.WriteAsync(text, cancellation).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
    }
}
