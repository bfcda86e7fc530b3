using Thresher.Core.Telemetry;
using Thresher.Core.Wire;

namespace Thresher.Core.Training;

/// <summary>
/// Everything a run needs besides its id: the training options that fix its trajectory, how it is spread over
/// workers, how the explosion detector watches it and how often the parameter server checkpoints. The named
/// recipes are <see cref="Presets"/>; every default of a run is written once, here or in the records it holds
/// (<see cref="TrainingOptions"/>, <see cref="ExplosionDetectorOptions"/>). The CLI starts from a recipe and
/// overrides what the user gave; the cluster's wire type (RunConfig) is built from one.
/// </summary>
public sealed record RunRecipe
{
    /// <summary>The trajectory's options (layers, loss, lr, batch, clip, non-finite policy, initialiser, ...).</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>The explosion detector's rules. Defaults: growth 5, spike 10, robust z 6, window 50, warm-up 3, no threshold.</summary>
    public ExplosionDetectorOptions Detector { get; init; } = new();

    /// <summary>Dataset name (mnist, fashion-mnist) or a directory of IDX files. Default mnist.</summary>
    public string Dataset { get; init; } = "mnist";

    /// <summary>Worker grains, 1..256, at most the batch. Default 2.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>A data-local shard per worker (true) or the global batch split over the workers (false, default).</summary>
    public bool FixedShards { get; init; }

    /// <summary>
    /// Steps between the parameter server's checkpoints, 0..1000000 (0 = only at the start and the end). Default 50;
    /// `thresher train` uses 0, since its embedded silo keeps checkpoints in its own memory.
    /// </summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>Parameter-server shards (θ and the optimizer state split over S grains), 1..the layout's tensors. Default 1.</summary>
    public int PsShards { get; init; } = 1;

    /// <summary>How workers send their gradients (fp32, or bf16 with error feedback). Default fp32.</summary>
    public WireFormat Wire { get; init; } = WireFormat.Fp32;

    /// <summary>Seconds one worker may take for its part of a step before it is asked again, 1..3600. Default 30.</summary>
    public int WorkerTimeoutSeconds { get; init; } = 30;
}
