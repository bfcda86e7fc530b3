using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// How a run answers failures in Orleans: which exceptions are retried rather than failing the run, how many in
/// a row it takes before it gives up, how long it waits before the next try, and when the next tick must first
/// ask the parameter server where to go on (<see cref="IParameterServerGrain.Resume"/>) and whether that resume
/// counts as one. Plain state, one instance per run grain activation.
/// </summary>
sealed class ResumePolicy
{
    /// <summary>Orleans failures in a row (no step recorded between them) before the run is declared failed.</summary>
    public const int MaxConsecutiveFailures = 30;

    bool _reactivated; // re-activated from storage: the steps after the stored record were lost, so the next resume counts

    /// <summary>Consecutive failures so far.</summary>
    public int Failures { get; private set; }

    /// <summary>The next tick asks the parameter server where to go on before it steps.</summary>
    public bool MustResume { get; private set; }

    /// <summary>
    /// Orleans failures (a dead or unreachable silo, a lost reply) and a parameter server re-activated from its
    /// checkpoint between two steps are retried from the last checkpoint; the run's own errors are not.
    /// </summary>
    public static bool IsTransient(Exception e) => e is OrleansException or TimeoutException or ParameterServerBehindException;

    /// <summary>A step was recorded: the failures in a row start again from 0.</summary>
    public void Succeeded() => Failures = 0;

    /// <summary>
    /// A transient failure: the delay before the next try (which resumes first), or null when this was the
    /// <see cref="MaxConsecutiveFailures"/>-th in a row and the run should fail. The delay grows by 250 ms a
    /// failure up to 2 s: long enough for membership to declare a dead silo, short for a lost reply.
    /// </summary>
    public TimeSpan? Failed()
    {
        Failures++;
        if (Failures >= MaxConsecutiveFailures) return null;
        MustResume = true;
        return TimeSpan.FromMilliseconds(Math.Min(2000, 250 * Failures));
    }

    /// <summary>The grain was re-activated from storage with its run still running: resume before the next step.</summary>
    public void Reactivated()
    {
        MustResume = true;
        _reactivated = true;
    }

    /// <summary>
    /// The parameter server answered where to go on: <paramref name="from"/>, with <paramref name="recorded"/> steps
    /// recorded. True when this is a resume to count (and the history after <paramref name="from"/> to drop): steps
    /// were lost, or the grain was re-activated — it stored its record just before the parameter server's last
    /// checkpoint, so its history usually ends exactly there (from == recorded), yet its lost activation ran on.
    /// </summary>
    public bool Resumed(long from, long recorded)
    {
        MustResume = false;
        bool reactivated = _reactivated;
        _reactivated = false;
        return from < recorded || reactivated;
    }
}
