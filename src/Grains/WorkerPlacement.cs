using System.Globalization;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The parameter server's half of <c>--fault-limit</c>: counts the fault verdicts per silo (Core's <see cref="SiloFaults"/>)
/// and, when a silo reaches the limit and another silo is active, avoids it: from then on every call to a worker
/// names the avoided silos in its request context (<see cref="AvoidedSilos"/>), so a worker activation on one of them
/// retires and the next call activates it elsewhere (<see cref="AvoidSuspectSilosPlacement"/>). With no other active
/// silo, its workers stay and the run goes on (a fault's part is replaced by its replay either way). Memory only: a
/// re-activated parameter server counts again, while the run's history keeps what was moved.
/// </summary>
sealed class WorkerPlacement(IGrainFactory grains, int faultLimit)
{
    readonly SiloFaults _faults = new(faultLimit);

    /// <summary>What the step's fault verdict made this do (<see cref="Convicted"/>): a description and the silo moved off, or nulls.</summary>
    public (string? Placement, string? MovedOff) StepMove { get; private set; }

    /// <summary>A step begins: names the avoided silos in the request context of the worker calls this turn makes next.</summary>
    public void BeginStep()
    {
        AvoidedSilos.Set(_faults.Avoided);
        StepMove = (null, null);
    }

    /// <summary>
    /// A replay convicted the worker on <paramref name="silo"/> (fault): counts it; at the limit, moves the run's
    /// workers off that silo when another is active; <see cref="StepMove"/> says what was done.
    /// </summary>
    public async Task Convicted(string silo, string[] workerSilos)
    {
        if (!_faults.Count(silo)) return;
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var move = _faults.MoveOff(silo, hosts.Keys.Select(AvoidedSilos.Name));
        var onSilo = Enumerable.Range(0, workerSilos.Length).Where(w => workerSilos[w] == silo).ToList();
        string workers = (onSilo.Count == 1 ? "worker " : "workers ") + string.Join(", ", onSilo);
        string faults = string.Create(CultureInfo.InvariantCulture, $"silo {silo} had {_faults.FaultsOf(silo)} fault verdicts (--fault-limit {_faults.Limit})");
        StepMove = move switch
        {
            SiloMove.MoveOff => ($"{faults}: {workers} moved off it, and the run's workers avoid it from now on", silo),
            SiloMove.NowhereToGo => ($"{faults}, but no other silo is active: {workers} {(onSilo.Count == 1 ? "stays" : "stay")} there (each fault's part is replaced by its replay)", null),
            _ => (null, null), // said already
        };
    }
}
