namespace Thresher.Grains;

/// <summary>
/// The run registry's stored state: every run id in submission order, and the ids of the runs that ended (completed,
/// failed or cancelled, and stored so). The active runs are the listed ones not ended: the runs a surviving silo wakes
/// when another dies (<see cref="RunWaker"/>). Both lists only grow, so two activations' writes merge by union
/// (<see cref="Merge"/>) — what a superseded registry activation (a paused silo coming back) wrote is kept, not lost.
/// </summary>
[GenerateSerializer]
public sealed class RunRegistryRecord
{
    [Id(0)] public List<string> Runs { get; set; } = [];
    [Id(1)] public List<string> Ended { get; set; } = [];

    /// <summary>Listed and not ended, in submission order.</summary>
    public string[] Active => [.. Runs.Where(id => !Ended.Contains(id, StringComparer.Ordinal))];

    /// <summary>True when <paramref name="runId"/> was not listed yet.</summary>
    public bool Add(string runId) => AddTo(Runs, runId);

    /// <summary>True when <paramref name="runId"/> is listed and was not ended yet.</summary>
    public bool End(string runId) => Runs.Contains(runId, StringComparer.Ordinal) && AddTo(Ended, runId);

    /// <summary>Adds what <paramref name="other"/> lists and this does not (theirs first, in their order, as they were stored first).</summary>
    public void Merge(RunRegistryRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var runs = other.Runs.ToList();
        foreach (var id in Runs) AddTo(runs, id);
        Runs = runs;
        foreach (var id in other.Ended) AddTo(Ended, id);
    }

    static bool AddTo(List<string> list, string id)
    {
        if (list.Contains(id, StringComparer.Ordinal)) return false;
        list.Add(id);
        return true;
    }
}
