using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>The run option of overlapping communication with compute (--overlap).</summary>
public partial class RunSettings
{
    [CommandOption("--overlap <MODE>")]
    [Description("Overlap θ's and the gradients' travel with the workers' compute: off (θ whole with each request, the gradient whole with the reply), auto (streamed for workers on other silos than the parameter server's) or on (streamed for every worker). Streamed, θ goes in parts (the first layer's row blocks, then the rest) and a worker starts its forward pass on the first part; its gradient comes back in parts as its backward pass finishes them. The trajectory is bit-identical in every mode. Not with --ps-shards > 1, --aggregate per-silo, --sync ssp or --wire bf16. Default off.")]
    public string? Overlap { get; init; }
}
