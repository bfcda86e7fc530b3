using System.Diagnostics;

namespace Thresher.Benchmarks;

/// <summary>
/// What one `thresher bench` run measures and for how long. Every timed repetition lasts about
/// <see cref="RepSeconds"/>; the first <see cref="WarmupSeconds"/> of each measurement are not timed
/// (JIT tiers, caches, pooled buffers, grain activations).
/// </summary>
public sealed record BenchPlan
{
    /// <summary>Kernel thread counts of the core-step and gemm measurements. Default 1 and 2.</summary>
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];

    /// <summary>Batches of the core-step and gemm measurements. Default 128 and 512.</summary>
    public IReadOnlyList<int> Batches { get; init; } = [128, 512];

    /// <summary>
    /// The cluster-step measurements (global batch, worker grains). Default: batch 128 with 1 and 2 workers (what
    /// `thresher train` runs), batch 512 with 1, 2 and 4.
    /// </summary>
    public IReadOnlyList<ClusterShape> Cluster { get; init; } = [new(128, 1), new(128, 2), new(512, 1), new(512, 2), new(512, 4)];

    /// <summary>Timed repetitions per measurement (≥ 1). Default 5.</summary>
    public int Reps { get; init; } = 5;

    /// <summary>Seconds per timed repetition (&gt; 0). Default 1.</summary>
    public double RepSeconds { get; init; } = 1.0;

    /// <summary>Untimed seconds before the repetitions (≥ 0). Default 1.</summary>
    public double WarmupSeconds { get; init; } = 1.0;

    /// <summary>Seconds per timed repetition of a kernel (gemm, clip): calls are short and steady. Default 0.2.</summary>
    public double KernelRepSeconds { get; init; } = 0.2;

    /// <summary>The plan for kernel measurements: shorter repetitions and warm-up.</summary>
    public BenchPlan ForKernels() => this with { RepSeconds = Math.Min(RepSeconds, KernelRepSeconds), WarmupSeconds = Math.Min(WarmupSeconds, 0.3) };

    /// <summary>The defaults, or a smoke-test sized run (seconds, not minutes) for --quick.</summary>
    public static BenchPlan Create(int? threads, int? batch, int? reps, bool quick)
    {
        var plan = quick ? new BenchPlan { Reps = 3, RepSeconds = 0.05, WarmupSeconds = 0.05 } : new BenchPlan();
        if (threads is int t) plan = plan with { Threads = [t] };
        if (batch is int b) plan = plan with { Batches = [b], Cluster = [.. new[] { 1, 2, 4 }.Where(w => w <= b).Select(w => new ClusterShape(b, w))] };
        if (reps is int r) plan = plan with { Reps = r };
        return plan;
    }

    /// <summary>Runs <paramref name="unit"/> (one step, one call) for the warm-up, then <see cref="Reps"/>
    /// repetitions of a fixed count sized to <see cref="RepSeconds"/>; returns seconds per unit of each.</summary>
    public IReadOnlyList<double> SecondsPerUnit(Action unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        long started = Stopwatch.GetTimestamp();
        int warm = 0;
        do
        {
            unit();
            warm++;
        }
        while (warm < 2 || Stopwatch.GetElapsedTime(started).TotalSeconds < WarmupSeconds);
        // Size a repetition from the warm-up's last units (the early ones ran unoptimised code).
        long probe = Stopwatch.GetTimestamp();
        int probes = 0;
        do
        {
            unit();
            probes++;
        }
        while (Stopwatch.GetElapsedTime(probe).TotalSeconds < RepSeconds / 10);
        double perUnit = Stopwatch.GetElapsedTime(probe).TotalSeconds / probes;
        int count = (int)Math.Clamp(Math.Ceiling(RepSeconds / perUnit), 1, int.MaxValue);
        var result = new double[Reps];
        for (int r = 0; r < Reps; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++) unit();
            result[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds / count;
        }
        return result;
    }
}

/// <summary>One cluster-step measurement: the global batch and the worker grains it is split over.</summary>
public sealed record ClusterShape(int Batch, int Workers)
{
    /// <summary>Kernel threads per worker: the silo default, this machine's cores ÷ workers, at least 1.</summary>
    public int ThreadsPerWorker => Math.Max(1, Environment.ProcessorCount / Workers);

    /// <summary>The threads of the whole cluster: the core step it is compared with runs on as many.</summary>
    public int TotalThreads => Workers * ThreadsPerWorker;
}
