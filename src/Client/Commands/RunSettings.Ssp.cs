using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>The run options of bounded-staleness asynchronous training (--sync, --staleness).</summary>
public partial class RunSettings
{
    [CommandOption("--sync <MODE>")]
    [Description("sync: every step sums all workers' parts of one batch, then one update (the trajectory is deterministic). ssp: stale synchronous parallel — each worker loops on its own and the parameter server applies each push when it arrives, at lr/(W·max(1, τ)) for a push τ clocks stale, clipping W × the push; a worker may run at most --staleness clocks ahead of the slowest. Not with --ps-shards ≥ 2 or --on-spike other than none. Default sync.")]
    public string? Sync { get; init; }

    [CommandOption("--staleness <S>")]
    [Description("With --sync ssp: how many clocks (steps) a worker may run ahead of the slowest, 0..1000; 0 is the synchronous step, bit for bit. Default 2.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? Staleness { get; init; }
}
