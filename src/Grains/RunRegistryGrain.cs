using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>
/// The cluster's list of runs (key 0), in submission order, with which of them ended: stored in checkpoint storage
/// (<see cref="RunRegistryRecord"/>), so it outlives the silo that held it — `thresher runs` still lists every run,
/// and a survivor can wake every active run after a silo died (<see cref="RunWaker"/>). A change is answered at once
/// and written in the background when storage is down (retried every <see cref="RetryDelay"/>): registering never
/// fails a submit, and a lost write only means a finished run is woken once more.
/// </summary>
[KeepAlive]
public sealed partial class RunRegistryGrain(
    ILogger<RunRegistryGrain> logger,
    [PersistentState("registry", CheckpointStorage.Name)] IPersistentState<RunRegistryRecord> stored)
    : Grain, IRunRegistryGrain
{
    static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    IGrainTimer? _retry;

    public Task Register(string runId) => stored.State.Add(runId) ? Save() : Task.CompletedTask;

    public Task Ended(string runId) => stored.State.End(runId) ? Save() : Task.CompletedTask;

    public Task<string[]> List() => Task.FromResult(stored.State.Runs.ToArray());

    public Task<string[]> Active() => Task.FromResult(stored.State.Active);

    async Task Save()
    {
        try
        {
            await Write();
            _retry?.Dispose();
            _retry = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (_retry is null) LogNotStored(logger, e.GetType().Name, e.Message);
            _retry ??= this.RegisterGrainTimer(_ => Save(), new GrainTimerCreationOptions(RetryDelay, RetryDelay) { KeepAlive = true });
        }
    }

    /// <summary>Writes; when another activation wrote since (a superseded one, or an unknown outcome of ours), merges its lists in and writes again.</summary>
    async Task Write()
    {
        try
        {
            await stored.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            var mine = stored.State;
            await stored.ReadStateAsync();
            mine.Merge(stored.State);
            stored.State = mine;
            await stored.WriteStateAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "run registry: not stored ({Kind}: {Reason}); kept in memory and written every 2 s until storage answers")]
    static partial void LogNotStored(ILogger logger, string kind, string reason);
}
