using Thresher.Core.Model;

namespace Thresher.Core.Backends;

/// <summary>
/// Makes one <see cref="IGradientBackend"/> per worker. A host (silo, CLI) picks the backend once at start-up
/// and registers the factory as a service; worker grains resolve it. <see cref="Cpu"/> is the default.
/// </summary>
/// <param name="description">One line for logs: the backend and why it was chosen ("cpu", "cuda: NVIDIA H100 …").</param>
/// <param name="create">(layers, largest batch, CPU threads) → a new backend.</param>
public sealed class GradientBackendFactory(string description, Func<MlpConfig, int, int, IGradientBackend> create)
{
    /// <summary>The SIMD CPU backend.</summary>
    public static GradientBackendFactory Cpu { get; } = new("cpu", (layers, maxBatch, threads) => new CpuGradientBackend(layers, maxBatch, threads)) { OnCpu = true };

    /// <summary>Its backends compute on the host's CPU cores (a worker's single-threaded gradient may then run on the kernel team's helper).</summary>
    public bool OnCpu { get; init; }

    public string Description { get; } = description;

    /// <summary>
    /// The device-resident trainer on the same device, or null (the CPU): the parameter server runs a whole step there
    /// for the runs <see cref="ResidentTraining.Refusal"/> accepts, instead of asking the workers.
    /// </summary>
    public ResidentTrainerFactory? Resident { get; init; }

    /// <summary>A backend for <paramref name="layers"/> and up to <paramref name="maxBatch"/> rows; threads is the CPU kernel thread count (≥ 1).</summary>
    public IGradientBackend Create(MlpConfig layers, int maxBatch, int threads)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        return create(layers, maxBatch, threads);
    }

    public override string ToString() => Description;
}
