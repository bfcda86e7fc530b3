namespace Thresher.Abstractions;

/// <summary>
/// Storage shows that another activation owns this run or parameter server now: this one is a superseded
/// activation (its silo was paused, declared dead, and came back). It stands down — it stops its timer, writes
/// nothing, declares nothing — and deactivates; the owner goes on.
/// </summary>
[GenerateSerializer]
public sealed class RunSupersededException : Exception
{
    public RunSupersededException() { }
    public RunSupersededException(string message) : base(message) { }
    public RunSupersededException(string message, Exception inner) : base(message, inner) { }
}
