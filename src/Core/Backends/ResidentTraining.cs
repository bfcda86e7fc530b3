using Thresher.Core.Optim.Clipping;
using Thresher.Core.Training;

namespace Thresher.Core.Backends;

/// <summary>
/// Which runs the device-resident loop takes: the rule, once, for the parameter server (which picks the path), the
/// GPU trainer (which refuses the rest) and the CLI (which says which path a run takes and why).
/// </summary>
public static class ResidentTraining
{
    /// <summary>Training samples between two test evaluations of a device run whose --eval-every is unset: a tenth of MNIST's epoch.</summary>
    public const int SamplesBetweenEvaluations = 6_000;

    /// <summary>
    /// `train`'s evaluation interval (steps) for a run on the device loop when --eval-every is unset: every
    /// ⌈<see cref="SamplesBetweenEvaluations"/> / batch⌉ steps, so time to accuracy is measured to about a tenth of an
    /// epoch (the fast preset, batch 512: every 12 steps). On the device an evaluation of MNIST's 10,000 test images is
    /// a forward pass and one sync (about a millisecond on a datacenter GPU), so this costs little of the time it measures.
    /// </summary>
    public static int EvaluationInterval(int batch) => Math.Max(1, (SamplesBetweenEvaluations + Math.Max(1, batch) - 1) / Math.Max(1, batch));

    /// <summary>
    /// Null when the resident loop runs exactly this run's step; else one line naming what keeps it on the worker path.
    /// It takes one worker in batch mode on an unsharded parameter server, global clipping (or none), either non-finite
    /// policy, any optimizer and schedule; not the response ladder, fault injection, omitted batches or the other clip
    /// policies, whose rules run on the host; not a bf16 gradient wire (<paramref name="bf16Wire"/>), whose rounding the
    /// worker path's trajectory has and the device's fp32 gradient would not.
    /// </summary>
    public static string? Refusal(TrainingOptions options, int workers = 1, bool sharded = false, bool fixedShards = false, bool bf16Wire = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (workers != 1) return $"the device loop runs one worker; this run has {workers} (--workers 1 to use it)";
        if (sharded) return "the device loop keeps θ on one device, not on parameter-server shards (--ps-shards 1)";
        if (fixedShards) return "the device loop splits each batch (--shard-mode batch), not fixed shards";
        if (options.ClipPolicy.Kind != ClipPolicyKind.Global) return $"the device loop clips by global norm only, not clip-policy {options.ClipPolicy.Kind.Name()}";
        if (options.Spike.OnSpike != SpikeAction.None) return "the device loop has no response ladder (--on-spike none only)";
        if (options.Inject.Count > 0) return "the device loop takes no --inject rules";
        if (options.OmitBatches.Count > 0) return "the device loop skips no batches";
        if (bf16Wire) return "the device loop's gradient never leaves the device, so it has no bf16 wire (--wire fp32)";
        return null;
    }
}
