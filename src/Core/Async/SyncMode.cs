namespace Thresher.Core.Async;

/// <summary>How a run's workers are synchronised (--sync).</summary>
public enum SyncMode
{
    /// <summary>Synchronous data parallel: one step = every worker's part of one global batch, summed, one update.</summary>
    Sync,

    /// <summary>Stale synchronous parallel (Ho et al. 2013): each push is applied when it arrives; a worker may run at most s clocks ahead of the slowest.</summary>
    Ssp,
}

/// <summary>Names, parsing and the default staleness of <see cref="SyncMode"/>: written once, here.</summary>
public static class SyncModes
{
    /// <summary>--staleness when --sync ssp is given without it: s = 0 would be the synchronous step again.</summary>
    public const int DefaultStaleness = 2;

    /// <summary>Largest accepted staleness (clocks); beyond it the gate bounds nothing a run of this size can reach.</summary>
    public const int MaxStaleness = 1000;

    /// <summary>sync or ssp; "" (a config stored before --sync existed) is sync.</summary>
    public static SyncMode Parse(string? name) => name switch
    {
        null or "" or "sync" => SyncMode.Sync,
        "ssp" => SyncMode.Ssp,
        _ => throw new ThresherInputException($"sync '{name}': must be sync or ssp"),
    };

    public static string Name(SyncMode mode) => mode == SyncMode.Ssp ? "ssp" : "sync";

    /// <summary>
    /// The staleness bound's rules: 0..<see cref="MaxStaleness"/>, and a nonzero bound only with ssp (sync has no
    /// staleness). One line naming the value and the range.
    /// </summary>
    public static void Validate(SyncMode mode, int staleness)
    {
        if (staleness < 0 || staleness > MaxStaleness)
            throw new ThresherInputException($"staleness {staleness}: must be in 0..{MaxStaleness} (clocks a worker may run ahead of the slowest)");
        if (mode != SyncMode.Ssp && staleness != 0)
            throw new ThresherInputException($"staleness {staleness} needs --sync ssp (the synchronous step has no staleness)");
    }
}
