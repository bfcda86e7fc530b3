using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>The cluster's list of run ids, in submission order (key 0). In memory: lives as long as its silo.</summary>
[KeepAlive]
public sealed class RunRegistryGrain : Grain, IRunRegistryGrain
{
    readonly List<string> _runs = [];

    public Task Register(string runId)
    {
        if (!_runs.Contains(runId)) _runs.Add(runId);
        return Task.CompletedTask;
    }

    public Task<string[]> List() => Task.FromResult(_runs.ToArray());
}
