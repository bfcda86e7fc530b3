using System.IO.Hashing;
using System.Text;

namespace Thresher.Grains;

/// <summary>
/// Where worker "RUN/w" goes among the silos it may use: silo (hash(RUN) + w) mod N in address order, so a run's workers
/// spread over the silos deterministically (Orleans' default, resource-optimised placement may put all of them on one)
/// and a silo that joins takes workers of the runs that start, or re-activate, after it joined.
/// </summary>
static class WorkerSpread
{
    public static SiloAddress Pick(SiloAddress[] silos, GrainId worker)
    {
        if (silos.Length == 0) throw new OrleansException($"no active silo can host {worker}");
        var ordered = silos.ToArray();
        Array.Sort(ordered, (a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        string key = worker.Key.ToString() ?? "";
        int slash = key.LastIndexOf('/');
        ulong run = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(slash < 0 ? key : key[..slash]));
        ulong index = slash >= 0 && ulong.TryParse(key.AsSpan(slash + 1), out ulong w) ? w : 0;
        return ordered[(int)((run + index) % (ulong)ordered.Length)];
    }
}
