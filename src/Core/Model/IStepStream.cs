namespace Thresher.Core.Model;

/// <summary>
/// A step whose θ arrives in parts and whose gradient leaves in parts (<see cref="StreamPlan"/>): the forward pass
/// asks for θ's floats up to where it reads next, the backward pass says which gradient floats are final.
/// Called from the thread that computes the step.
/// </summary>
public interface IStepStream
{
    /// <summary>Returns once θ[0, <paramref name="end"/>) has arrived (blocking the computing thread until then).</summary>
    void AwaitParameters(int end);

    /// <summary>grad[<paramref name="start"/>, <paramref name="end"/>) holds its final values and may leave.</summary>
    void GradientReady(int start, int end);
}
