namespace Thresher.Abstractions;

/// <summary>
/// A step was asked of a parameter server that has not applied the steps before it: it was re-activated from a
/// checkpoint (its silo died between two steps, or it was deactivated). Not the run's failure: the run asks
/// <see cref="IParameterServerGrain.Resume"/> where to go on and re-runs the steps after the checkpoint.
/// </summary>
[GenerateSerializer]
public sealed class ParameterServerBehindException : Exception
{
    public ParameterServerBehindException() { }
    public ParameterServerBehindException(string message) : base(message) { }
    public ParameterServerBehindException(string message, Exception inner) : base(message, inner) { }
}
