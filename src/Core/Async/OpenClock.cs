using Thresher.Core.Training;

namespace Thresher.Core.Async;

/// <summary>The pushes of one clock taken so far (worker order), until every worker's is in.</summary>
sealed class OpenClock(int workers)
{
    public WorkerPart[] Parts { get; } = new WorkerPart[workers];

    public double[] WorkerNorms { get; } = new double[workers];

    public int[] Staleness { get; } = new int[workers];

    readonly StepStatistics?[] _applied = new StepStatistics?[workers];

    readonly double[] _lossSums = new double[workers];
    readonly int[] _samples = new int[workers];

    /// <summary>Σ of the workers' loss sums, added in worker order (as the synchronous step adds them), whatever the arrival order.</summary>
    public double LossSum
    {
        get
        {
            double sum = 0; // a plain loop in worker order: no vectorised reordering
            foreach (double loss in _lossSums) sum += loss;
            return sum;
        }
    }

    public int Samples => _samples.Sum();

    public void Take(int worker, WorkerPart part, int staleness)
    {
        Parts[worker] = part;
        WorkerNorms[worker] = part.Result.LocalNorm;
        Staleness[worker] = staleness;
        _lossSums[worker] = part.Result.LossSum;
        _samples[worker] = part.Result.Samples;
    }

    public void Applied(int worker, StepStatistics statistics)
    {
        _applied[worker] = statistics;
        Parts[worker] = default; // applied: the worker's buffer is not read again
    }

    /// <summary>
    /// The clock's statistics from its pushes' own (s ≥ 1): loss over all its rows, the mean of the pushes' norms of ĝ, the
    /// smallest scale, clipped or skipped when any push was, the scheduled rate η(c).
    /// </summary>
    public StepStatistics Combined(long clock, double learningRate)
    {
        var pushes = _applied.Select(s => s ?? throw new InvalidOperationException($"clock {clock}: a push was not applied")).ToArray();
        int n = pushes.Length, tensors = pushes[0].TensorNorms.Length;
        var tensorNorms = new double[tensors];
        for (int k = 0; k < tensors; k++) tensorNorms[k] = pushes.Sum(p => p.TensorNorms[k]) / n;
        return new StepStatistics(clock, LossSum / Samples, pushes.Sum(p => p.GlobalNorm) / n, pushes.Sum(p => p.ClippedNorm) / n,
            pushes.Min(p => p.ClipScale), pushes.Any(p => p.Clipped), pushes.Any(p => p.Skipped), tensorNorms, learningRate)
        {
            ClipThreshold = pushes[^1].ClipThreshold,
        };
    }
}
