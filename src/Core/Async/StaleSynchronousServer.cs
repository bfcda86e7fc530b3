using System.Runtime.InteropServices;
using Thresher.Core.Training;

namespace Thresher.Core.Async;

/// <summary>
/// The parameter server's half of bounded-staleness (SSP) training, without Orleans. A worker reads (<see cref="Read"/>:
/// its clock, the version, a copy of θ) when the <see cref="ClockTable"/> gate lets it, computes its share g_w of its clock's
/// global batch, and pushes (<see cref="Push"/>). With s ≥ 1 each push is applied when it arrives (<see cref="PushUpdate"/>:
/// the policy clips ĝ = W·g_w, the optimizer steps at η(c)/(W·max(1, τ))). With s = 0 the gate makes every clock a barrier and
/// the W pushes of a clock are applied together, in worker order, by <see cref="PartsUpdate"/>: the synchronous step, bit for
/// bit, whatever order the pushes arrive in. Every push counts once: a worker's clock advances when its push is taken.
/// Not thread-safe: its owner serialises calls.
/// </summary>
public sealed class StaleSynchronousServer
{
    readonly PartsUpdate _parts;
    readonly PushUpdate _push;
    readonly SpikeGuard _batches; // the data cursor only (ssp takes no response ladder): clock c trains on batch BatchOf(c)
    readonly SortedDictionary<long, OpenClock> _open = [];

    /// <param name="theta">θ as float32 bytes, updated in place (the owner's; never read while a push is applied).</param>
    /// <param name="start">The clock every worker starts at (0, or a checkpoint's step).</param>
    /// <param name="threads">Threads of the s = 0 sum, norms and update (≥ 1).</param>
    public StaleSynchronousServer(UpdateRule rule, int workers, int staleness, byte[] theta, long start = 0, int threads = 1, IEnumerable<long>? omittedBatches = null)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(theta);
        if (theta.Length != rule.Layout.TotalLength * sizeof(float))
            throw new ArgumentException($"θ has {theta.Length / sizeof(float)} floats; the layout needs {rule.Layout.TotalLength}", nameof(theta));
        Clocks = new ClockTable(workers, staleness, start);
        Theta = theta;
        _parts = new PartsUpdate(rule, threads);
        _push = new PushUpdate(rule, workers);
        _batches = new SpikeGuard(new SpikeOptions(), rule, omittedBatches);
    }

    public ClockTable Clocks { get; }

    public UpdateRule Rule => _parts.Rule;

    public byte[] Theta { get; }

    /// <summary>Every push taken so far, by τ.</summary>
    public StalenessHistogram Histogram { get; } = new();

    /// <summary>The data batch clock <paramref name="clock"/> trains on.</summary>
    public long BatchOf(long clock) => _batches.BatchOf(clock);

    /// <summary>Worker <paramref name="worker"/> starts its next clock if the gate (and the host's <paramref name="limit"/>) allows; else null.</summary>
    public SspRead? Read(int worker, long limit)
    {
        if (!Clocks.MayStart(worker, limit)) return null;
        long clock = Clocks.Start(worker, limit);
        return new SspRead(worker, clock, Clocks.Version, (byte[])Theta.Clone());
    }

    /// <summary>The read's worker failed before pushing: it may read the same clock again.</summary>
    public void Abandon(SspRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        Clocks.Abandon(read.Worker);
    }

    /// <summary>
    /// Takes the push of <paramref name="read"/> (g_w as float32 bytes, read in place before this returns at s ≥ 1, kept until
    /// its clock completes at s = 0): τ = version now − the read's version; applied now (s ≥ 1) or with its clock (s = 0).
    /// </summary>
    public PushOutcome Push(SspRead read, WorkerPart part)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(part.Gradient);
        if (!Clocks.InFlight(read.Worker) || Clocks.ClockOf(read.Worker) != read.Clock)
            throw new InvalidOperationException($"worker {read.Worker}: a push for clock {read.Clock} that is not in flight (its clock is {Clocks.ClockOf(read.Worker)})");
        long staleness = StalenessRule.Staleness(read.Version, Clocks.Version);
        if (!_open.TryGetValue(read.Clock, out var open)) _open[read.Clock] = open = new OpenClock(Clocks.Workers);
        open.Take(read.Worker, part, (int)staleness);
        StepStatistics? own = null;
        if (Clocks.Staleness > 0)
        {
            var share = MemoryMarshal.Cast<byte, float>(part.Gradient.AsSpan());
            var decision = _push.Measure(share);
            double loss = part.Result.LossSum / part.Result.Samples;
            own = _push.Apply(MemoryMarshal.Cast<byte, float>(Theta.AsSpan()), share, read.Clock, staleness, loss, decision);
            open.Applied(read.Worker, own);
        }
        Histogram.Add(staleness);
        long before = Clocks.Version;
        Clocks.Finish(read.Worker);
        var completed = new List<ClockRecord>();
        for (long c = before; c < Clocks.Version; c++)
            if (_open.Remove(c, out var done)) completed.Add(Complete(c, done));
        return new PushOutcome(staleness, own, completed);
    }

    /// <summary>The clock's record; at s = 0 its W parts are applied here, in worker order (the synchronous step).</summary>
    ClockRecord Complete(long clock, OpenClock done)
    {
        StepStatistics stats;
        if (Clocks.Staleness == 0)
        {
            var gradients = done.Parts.Select(p => p.Gradient).ToArray();
            var decision = _parts.Measure(gradients);
            stats = _parts.Apply(Theta, gradients, clock, done.LossSum / done.Samples, decision);
        }
        else stats = done.Combined(clock, Rule.Schedule.At(clock));
        return new ClockRecord(stats with { BatchId = BatchOf(clock) }, done.WorkerNorms, done.Staleness);
    }
}
