namespace Thresher.Core.Training;

/// <summary>What <see cref="SiloFaults.Convict"/> decided about a silo after a fault verdict.</summary>
public enum SiloMove
{
    /// <summary>Below the fault limit (or the limit is 0, or the silo is avoided already): nothing to do.</summary>
    None,

    /// <summary>The silo reached the limit and another silo is there: the run's workers are moved off it.</summary>
    MoveOff,

    /// <summary>The silo reached the limit but every active silo is avoided or this one: its workers stay.</summary>
    NowhereToGo,
}

/// <summary>
/// A run's fault verdicts per silo and the silos its workers are moved off: after <c>limit</c> faults (a replay found
/// a worker's gradient different from the same part recomputed elsewhere) on workers of one silo, that silo's device
/// is taken to be faulty, and the run avoids it — when another active silo exists; otherwise the workers stay and the
/// run goes on (each fault's part is replaced by its replay anyway). Silos are named by address ("host:port").
/// Memory only, like the snapshots: a re-activated parameter server starts counting again. Not thread-safe.
/// </summary>
public sealed class SiloFaults(int limit)
{
    readonly Dictionary<string, int> _faults = new(StringComparer.Ordinal);
    readonly SortedSet<string> _avoided = new(StringComparer.Ordinal);
    readonly HashSet<string> _stuck = new(StringComparer.Ordinal); // at the limit, with nowhere to go when last asked (said once)

    /// <summary>Faults after which a silo is avoided; 0 = never.</summary>
    public int Limit { get; } = limit >= 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), limit, "fault limit must be ≥ 0");

    /// <summary>Silos the run's workers were moved off, ordered.</summary>
    public IReadOnlyCollection<string> Avoided => _avoided;

    /// <summary>Fault verdicts counted against <paramref name="silo"/>.</summary>
    public int FaultsOf(string silo) => _faults.GetValueOrDefault(silo);

    /// <summary>Counts a fault verdict for a worker on <paramref name="silo"/>; true when the silo is at the limit and not avoided yet.</summary>
    public bool Count(string silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        int faults = _faults[silo] = FaultsOf(silo) + 1;
        return Limit > 0 && faults >= Limit && !_avoided.Contains(silo);
    }

    /// <summary>
    /// For a silo at the limit: avoided from now on when one of <paramref name="activeSilos"/> is neither it nor
    /// avoided already (<see cref="SiloMove.MoveOff"/>), else <see cref="SiloMove.NowhereToGo"/> — the first time only;
    /// after that <see cref="SiloMove.None"/> until a silo to go to appears.
    /// </summary>
    public SiloMove MoveOff(string silo, IEnumerable<string> activeSilos)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(activeSilos);
        if (!activeSilos.Any(s => s != silo && !_avoided.Contains(s))) return _stuck.Add(silo) ? SiloMove.NowhereToGo : SiloMove.None;
        _stuck.Remove(silo);
        _avoided.Add(silo);
        return SiloMove.MoveOff;
    }
}
