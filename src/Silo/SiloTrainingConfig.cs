using System.Globalization;
using Microsoft.Extensions.Configuration;
using Thresher.Core.Data;

namespace Thresher.Silo;

/// <summary>
/// Checks, at start, the "Thresher" section that the grains bind only when a run first needs it
/// (SiloTrainingOptions): a value the binder cannot convert would otherwise surface as a stack trace inside the
/// first run, and a missing data root as refused submissions. Here each stops the silo with one line (exit 2).
/// </summary>
static class SiloTrainingConfig
{
    /// <summary>Most kernel threads per worker or evaluator; the same cap as `thresher train --worker-threads`.</summary>
    public const int MaxThreads = 1024;

    public static void Check(IConfiguration config)
    {
        Threads(config, "Thresher:WorkerThreads", min: 0, "0 = cores / workers");
        Threads(config, "Thresher:EvaluationThreads", min: 1, "the parameter server's evaluation passes");
        if (config["Thresher:StorageOutageLimitSeconds"] is { } limit
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds is < 1 or > 86400))
            throw new ThresherInputException($"Thresher:StorageOutageLimitSeconds '{limit}': expected whole seconds in 1..86400 (how long a run may stall on unavailable checkpoint storage before it fails)");
        if (config["Thresher:HostWorkers"] is { } host && !bool.TryParse(host, out _))
            throw new ThresherInputException($"Thresher:HostWorkers '{host}': expected true or false (--host-workers false keeps worker grains off this silo)");
        if (config["Thresher:AnyDataDirectory"] is { } any && !bool.TryParse(any, out _))
            throw new ThresherInputException($"Thresher:AnyDataDirectory '{any}': expected true or false");
        if (config["Thresher:DataDirectory"] is { Length: > 0 } cache && File.Exists(cache))
            throw new ThresherInputException($"Thresher:DataDirectory '{cache}': a file, not a folder; give the dataset cache folder (--data-dir; created when missing)");
        foreach (string root in DataRoots.Parse(config["Thresher:DataRoots"]))
        {
            if (!Directory.Exists(root))
                throw new ThresherInputException($"Thresher:DataRoots '{root}': no such folder; --data-root takes existing folders, ':'-separated");
        }
    }

    static void Threads(IConfiguration config, string key, int min, string meaning)
    {
        if (config[key] is not { } text) return;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min || n > MaxThreads)
            throw new ThresherInputException($"{key} '{text}': expected a whole number in {min}..{MaxThreads} ({meaning})");
    }
}
