using Thresher.Abstractions;
using Thresher.Core.Async;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>A run's synchronisation (--sync, --staleness): its mode, its bound and what it refuses, checked once with the rest of the config.</summary>
public static class RunConfigSsp
{
    extension(RunConfig config)
    {
        public SyncMode SyncMode => SyncModes.Parse(config.Sync);

        /// <summary>True for bounded-staleness asynchronous training (--sync ssp).</summary>
        public bool IsSsp => config.SyncMode == SyncMode.Ssp;

        /// <summary>s: the given --staleness, else ssp's default (<see cref="SyncModes.DefaultStaleness"/>), 0 for sync.</summary>
        public int StalenessBound => config.Staleness ?? (config.IsSsp ? SyncModes.DefaultStaleness : 0);

        /// <summary>
        /// --sync is sync or ssp; --staleness only with ssp, in 0..<see cref="SyncModes.MaxStaleness"/>; ssp with what it cannot
        /// do refused with one line naming both: --ps-shards ≥ 2 (the shards' two-phase step is synchronous) and the response
        /// ladder (--on-spike skip|rewind|abort judges, replays and rewinds whole synchronous steps).
        /// </summary>
        public void ValidateSsp()
        {
            var mode = SyncModes.Parse(config.Sync);
            if (mode != SyncMode.Ssp && config.Staleness is int given)
                throw new ThresherInputException($"staleness {given} needs --sync ssp (the synchronous step has no staleness)");
            SyncModes.Validate(mode, config.StalenessBound);
            if (mode != SyncMode.Ssp) return;
            if (config.PsShards > 1)
                throw new ThresherInputException($"sync ssp with ps-shards {config.PsShards}: the sharded parameter server's two-phase step is synchronous; use --ps-shards 1 or --sync sync");
            if (SpikeOptions.ParseAction(config.OnSpike) != SpikeAction.None)
                throw new ThresherInputException($"sync ssp with on-spike {config.OnSpike}: the response ladder judges, replays and rewinds whole synchronous steps; use --on-spike none or --sync sync");
        }
    }
}
