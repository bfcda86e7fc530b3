using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>The run options of the sharded parameter server (--ps-shards).</summary>
public partial class RunSettings
{
    [CommandOption("--ps-shards <S>")]
    [Description("Split θ and the optimizer state over S parameter-server shard grains (1..the model's tensors, 2 per layer; with --clip-policy agc 1..its layers). Workers fetch θ from and send gradients to each shard; the trajectory is bit-identical for every S. Not with --on-spike other than none. Default 1.")]
    [TypeConverter(typeof(IntOptionConverter))]
    public int? PsShards { get; init; }
}
