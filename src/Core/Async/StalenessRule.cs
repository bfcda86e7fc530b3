namespace Thresher.Core.Async;

/// <summary>
/// How a stale push is measured and scaled. Staleness τ of a push = the server's version (completed clocks, see
/// <see cref="ClockTable.Version"/>) when the push is applied − the version of the θ the worker read. The gate makes
/// τ ≤ s. The learning rate of a push is Zhang et al. 2016 ("Staleness-aware async-SGD for distributed deep learning",
/// IJCAI) α/τ, with τ counted in clocks and at least 1 (τ = 0 and τ = 1 both take α: two workers in step with each other
/// read θ one clock before their push lands), and divided by W because a push is one of W shares of a clock:
/// <code>lr_push = η(c) / (W · max(1, τ))</code> where η(c) is the schedule's rate at the push's clock c.
/// </summary>
public static class StalenessRule
{
    /// <summary>τ = version at apply − version read (≥ 0).</summary>
    public static long Staleness(long readVersion, long applyVersion)
    {
        if (applyVersion < readVersion)
            throw new ArgumentOutOfRangeException(nameof(applyVersion), applyVersion, $"the server's version went back from {readVersion}");
        return applyVersion - readVersion;
    }

    /// <summary>η(c) / (W · max(1, τ)); exactly η(c) for W = 1 and τ ≤ 1.</summary>
    public static double LearningRate(double scheduled, long staleness, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(staleness);
        return scheduled / ((double)workers * Math.Max(1L, staleness));
    }
}
