using System.ComponentModel;
using Spectre.Console.Cli;

namespace Thresher.Client.Commands;

/// <summary>The run option of the gradient's wire format (--wire).</summary>
public partial class RunSettings
{
    [CommandOption("--wire <FORMAT>")]
    [Description("How workers send their gradients: fp32 (float32, 4 bytes per parameter; the trajectory is bit-identical) or bf16 (bfloat16 rounded to nearest even with error feedback, 2 bytes per parameter: half the gradient bytes, a different trajectory). θ always travels as fp32. bf16 not with --ps-shards > 1 or --on-spike other than none. Default fp32.")]
    public string? Wire { get; init; }
}
