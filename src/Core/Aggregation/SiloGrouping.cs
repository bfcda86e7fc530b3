namespace Thresher.Core.Aggregation;

/// <summary>The workers of one silo in a pre-aggregated step: ascending worker indices, all living on <paramref name="Silo"/>.</summary>
public sealed record SiloGroup(string Silo, int[] Workers);

/// <summary>
/// The rule that groups a step's workers by silo for pre-aggregation, and what it does to the float sum.
/// <para>
/// The parameter server today adds the W parts left to right in worker order, ((g₀ + g₁) + g₂) + …, in float. With
/// pre-aggregation each silo adds its own workers in worker order, and the parameter server adds the silos' partial
/// sums in the order of their lowest worker. Float addition is not associative, so the result is that sum exactly
/// when <see cref="PreservesWorkerOrder"/> holds (one silo; or the first group is workers 0..k−1 and every other silo
/// holds one worker), and otherwise differs from it at float rounding. It is a pure function of the grouping, which
/// is a pure function of where the workers live: for a fixed placement the trajectory is bit-identical run to run.
/// </para>
/// </summary>
public static class SiloGrouping
{
    /// <summary>
    /// One group per distinct silo in <paramref name="workerSilos"/> (indexed by worker), each with its workers in
    /// ascending order; groups ordered by their lowest worker.
    /// </summary>
    public static SiloGroup[] Of(IReadOnlyList<string> workerSilos)
    {
        ArgumentNullException.ThrowIfNull(workerSilos);
        var order = new List<string>();
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int w = 0; w < workerSilos.Count; w++)
        {
            string silo = workerSilos[w] ?? throw new ArgumentException($"worker {w} has no silo", nameof(workerSilos));
            if (!members.TryGetValue(silo, out var list))
            {
                members[silo] = list = [];
                order.Add(silo);
            }
            list.Add(w);
        }
        return [.. order.Select(silo => new SiloGroup(silo, [.. members[silo]]))];
    }

    /// <summary>
    /// True when adding the groups' partial sums in group order performs exactly the additions of the plain worker-order
    /// sum: the first group is workers 0..k−1 and every later group is a single worker. Then pre-aggregation is
    /// bit-identical to none; otherwise the sums differ at float rounding ((g₀ + g₂) + g₁ ≠ (g₀ + g₁) + g₂).
    /// </summary>
    public static bool PreservesWorkerOrder(IReadOnlyList<SiloGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0) return true;
        var first = groups[0].Workers;
        for (int i = 0; i < first.Length; i++)
            if (first[i] != i) return false;
        int next = first.Length;
        for (int g = 1; g < groups.Count; g++)
            if (groups[g].Workers is not [var only] || only != next++) return false;
        return true;
    }
}
