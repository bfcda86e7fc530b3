using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>The run option of per-silo pre-aggregation (--aggregate).</summary>
public partial class RunSettings
{
    [CommandOption("--aggregate <MODE>")]
    [Description("Where the workers' gradients are summed: none (at the parameter server, default) or per-silo (an aggregator on each silo sums its workers and sends one gradient; θ goes to each silo once). The parameter server then receives silos × |θ| bytes per step instead of workers × |θ|. Same trajectory to float rounding (bit-identical on one silo, and for a fixed placement); not with --on-spike other than none, --ps-shards above 1, --wire bf16 or --sync ssp.")]
    public string? Aggregate { get; init; }
}
