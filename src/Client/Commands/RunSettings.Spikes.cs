using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>The run options of the early-warning growth rule and the response ladder (--on-spike, --spike-*, --rewind-*, --fault-limit, --inject).</summary>
public partial class RunSettings
{
    [CommandOption("--alert-growth <G>")]
    [Description("Explosion alert when the norm exceeds G × the previous step's, from step 1 (> 1). Default 5.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? AlertGrowth { get; init; }

    [CommandOption("--on-spike <ACTION>")]
    [Description("When the loss or global norm spikes, before the update: none (report only; default), skip (do not apply it), rewind (skip; after --rewind-after spikes or one non-finite step, go back to a snapshot) or abort (fail the run).")]
    public string? OnSpike { get; init; }

    [CommandOption("--spike-window <N>")]
    [Description("Accepted steps in the spike rule's rolling mean and sd (2..100000). Default 128.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? SpikeWindow { get; init; }

    [CommandOption("--spike-sigma <S>")]
    [Description("A spike lies more than S sd from the rolling mean (> 0). Default 6.")]
    [TypeConverter(typeof(DoubleOptionConverter))]
    public double? SpikeSigma { get; init; }

    [CommandOption("--spike-min-history <N>")]
    [Description("Steps held before the spike rule judges (2..window). Default max(20, window / 2).")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? SpikeMinHistory { get; init; }

    [CommandOption("--spike-sided <one|two>")]
    [Description("one: only rises are spikes (default); two: falls too.")]
    public string? SpikeSided { get; init; }

    [CommandOption("--rewind-after <N>")]
    [Description("--on-spike rewind: rewind after N spikes within --rewind-window steps (1..1000). Default 2.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindAfter { get; init; }

    [CommandOption("--rewind-window <STEPS>")]
    [Description("Steps over which --rewind-after counts spikes (1..1000000). Default 50.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindWindow { get; init; }

    [CommandOption("--rewind-steps <N>")]
    [Description("Snapshot period: a rewind goes back N to 2N steps (1..1000000; two snapshots are kept in memory). Default 100.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindSteps { get; init; }

    [CommandOption("--rewind-skip-batches <N>")]
    [Description("Batches skipped after the spike's own, besides the re-run ones (0..1000000). Default 100.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? RewindSkipBatches { get; init; }

    [CommandOption("--fault-limit <N>")]
    [Description("After N fault verdicts (a replay found a worker's gradient faulty) for workers on one silo, move the run's workers off that silo when another is active (0..1000; 0 = never). Default 3.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? FaultLimit { get; init; }

    [CommandOption("--inject <RULES>")]
    [Description("Faults on purpose, for tests and demos (default none), comma-separated: batch:B:scale=X (batch B's inputs × X), worker:W:from=B:noise=X (worker W adds noise in [[-X, X) from batch B), worker:W:nan@B.")]
    public string? Inject { get; init; }
}
