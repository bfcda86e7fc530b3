namespace Thresher.Abstractions;

/// <summary>Lifecycle of a run: Pending → Running → one of Completed, Failed, Cancelled.</summary>
[GenerateSerializer]
public enum RunState
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}

public static class RunStates
{
    public static bool IsFinished(this RunState state) => state is RunState.Completed or RunState.Failed or RunState.Cancelled;
}
