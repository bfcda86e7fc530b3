using System.Globalization;

namespace Thresher.Grains;

/// <summary>
/// A run's view of its checkpoint storage: since when its writes fail, how long to wait before the next try, and
/// whether the outage has lasted past the limit (then the run fails with <see cref="Describe"/> as the reason).
/// Plain state, one per run grain activation; the grain reports <see cref="Describe"/> as the run's "stalled" line
/// while an outage lasts. Backoff: 250 ms after the first failure, doubling up to 5 s, so a blip costs a fraction
/// of a second and a long outage a write every 5 s.
/// </summary>
sealed class StorageOutage(TimeSpan limit, TimeProvider? clock = null)
{
    static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    readonly TimeProvider _clock = clock ?? TimeProvider.System;
    string _reason = "";

    public TimeSpan Limit => limit;

    /// <summary>When the first failed write of this outage happened; null while storage answers.</summary>
    public DateTimeOffset? Since { get; private set; }

    /// <summary>Failed writes in a row.</summary>
    public int Failures { get; private set; }

    public bool Ongoing => Since is not null;

    /// <summary>A write failed: returns the delay before the next try.</summary>
    public TimeSpan Failed(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Since ??= _clock.GetUtcNow();
        Failures++;
        _reason = Short($"{e.GetType().Name}: {Innermost(e).Message}");
        double ms = FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(Failures - 1, 10));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelay.TotalMilliseconds));
    }

    /// <summary>A write succeeded: the outage (if any) is over.</summary>
    public void Recovered()
    {
        Since = null;
        Failures = 0;
        _reason = "";
    }

    /// <summary>The outage has lasted longer than the limit: the run should fail.</summary>
    public bool Exceeded => Since is { } since && _clock.GetUtcNow() - since > limit;

    /// <summary>"checkpoint storage unavailable since 15:30:02Z (12 s, 7 failed writes; RedisTimeoutException: …)", or null.</summary>
    public string? Describe()
    {
        if (Since is not { } since) return null;
        double seconds = (_clock.GetUtcNow() - since).TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"checkpoint storage unavailable since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({seconds:F0} s, {Failures} failed writes; {_reason})");
    }

    /// <summary>The first line, at most 200 characters: a status line, not a provider's diagnostics dump.</summary>
    static string Short(string text)
    {
        string line = text.Split('\n')[0].TrimEnd();
        return line.Length <= 200 ? line : line[..199] + "…";
    }

    static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
}
