using System.Diagnostics;
using System.Globalization;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Training;

namespace Thresher.Bench;

/// <summary>
/// What the response ladder costs (README "Responding to spikes"), in one process: the default recipe's step with
/// the ladder off (--on-spike none) and on (skip), W = 2, in alternating blocks so load on a shared machine falls on
/// both alike (medians of the per-step times); then a snapshot and a rewind of the 784-512-256-10 MLP's θ and
/// optimizer state with SGD and AdamW (medians). Run: dotnet run -c Release --project bench/Thresher.Bench -- spike-cost [ROUNDS].
/// </summary>
static class SpikeCost
{
    const int BlockSteps = 20;

    public static void Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var data = DatasetCatalog.Load(new DatasetOptions().MnistDirectory());
        var off = new Trainer(Presets.Default with { Steps = 1_000_000 }, data, threads: 1, workers: 2);
        var on = new Trainer(Presets.Default with { Steps = 1_000_000, Spike = new SpikeOptions { OnSpike = SpikeAction.Skip } }, data, threads: 1, workers: 2);
        for (int i = 0; i < 70; i++) { off.TrainStep(); on.TrainStep(); } // warm-up, and the rule's minimum history (64)
        var (offTimes, onTimes) = (new List<double>(), new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            Block(off, offTimes);
            Block(on, onTimes);
        }
        Console.WriteLine(Invariant($"step, default recipe, W = 2, 1 thread, {rounds} × {BlockSteps} steps each, alternating: --on-spike none median {Median(offTimes):F2} ms, skip median {Median(onTimes):F2} ms ({(Median(onTimes) / Median(offTimes) - 1) * 100:+0.0;-0.0} %), spikes in the measured skip steps: {on.Guard.SkipList.Count}"));
        foreach (var kind in new[] { OptimizerKind.Sgd, OptimizerKind.AdamW })
            SnapshotAndRewind(kind);
    }

    static void Block(Trainer trainer, List<double> times)
    {
        for (int i = 0; i < BlockSteps; i++)
        {
            long started = Stopwatch.GetTimestamp();
            trainer.TrainStep();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    static void SnapshotAndRewind(OptimizerKind kind)
    {
        var options = Presets.Default with { Optimizer = OptimizerOptions.For(kind), ClipPolicy = new() { Kind = Core.Optim.Clipping.ClipPolicyKind.ZClip } };
        var layout = new ParameterLayout(options.Layers);
        var rule = options.CreateUpdateRule(layout, 1000);
        var ring = new SnapshotRing(1, layout.TotalLength, rule.Optimizer);
        var theta = new float[layout.TotalLength];
        var (offers, restores) = (new List<double>(), new List<double>());
        for (int i = 0; i < 50; i++)
        {
            long started = Stopwatch.GetTimestamp();
            ring.Offer(i + 1, 0, theta, rule);
            offers.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            ring.Restore(i + 2, theta, rule);
            restores.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        Console.WriteLine(Invariant($"{kind.Name()}: snapshot ring {ring.Bytes:N0} bytes (P = {layout.TotalLength:N0}); a snapshot median {Median(offers):F2} ms, a rewind (restore) median {Median(restores):F2} ms"));
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
