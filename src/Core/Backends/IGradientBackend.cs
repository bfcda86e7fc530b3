using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Core.Backends;

/// <summary>
/// Where one worker's forward and backward pass runs: <see cref="CpuGradientBackend"/> (SIMD kernels, the
/// default and the reference) or a GPU (Thresher.Gpu). A backend is created for one model and a largest batch,
/// owns its workspace, and serves one thread of work at a time.
/// A GPU backend keeps the dataset, parameters, activations and gradients on the device for the whole step;
/// only θ goes in and the gradient and loss sum come back.
/// </summary>
public interface IGradientBackend : IDisposable
{
    /// <summary>What runs the kernels, for logs ("cpu", "cuda: NVIDIA H100 …").</summary>
    string Name { get; }

    /// <summary>
    /// grad[P] = gradScale · ∂(Σ_{r ∈ rows} loss(x_r, y_r))/∂θ (layout order, overwritten), where
    /// x_r = split.Pixels[r] / inputScale; returns the loss summed over the rows (double).
    /// rows.Length ≤ the backend's largest batch; every row index lies in 0..split.Count−1.
    /// </summary>
    double Gradient(Span<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale, LossKind loss, float gradScale);
}

/// <summary>
/// A backend that overlaps a step with its communication (--overlap): the same gradient as
/// <see cref="IGradientBackend.Gradient"/>, bit for bit, computed while θ arrives and announced in parts
/// (<see cref="IStepStream"/>, <see cref="StreamPlan"/>). The CPU backend is one; a GPU backend, which copies θ to
/// the device whole, is not, and a streamed step on it waits for all of θ first.
/// </summary>
public interface IStreamingGradientBackend : IGradientBackend
{
    double Gradient(Span<float> grad, ReadOnlySpan<float> theta, DataSplit split, ReadOnlySpan<int> rows, float inputScale, LossKind loss, float gradScale, IStepStream stream);
}
