using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Training;

namespace Thresher.Grains.Tests;

/// <summary>
/// --fault-limit in the in-process cluster of two silos: a worker made faulty on purpose (noise from step 22) is
/// convicted by replays (verdict fault) at steps 22, 23 and 24; at the third its silo reaches the limit, the run's
/// workers are moved off it, the faulty worker computes on the other silo from step 25 on — a fresh device, so no more
/// spikes — and the run ends with θ equal, bit for bit, to the undisturbed run's.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultLimitClusterTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task A_faulty_worker_is_moved_off_its_silo_after_the_fault_limit_and_the_run_equals_the_undisturbed_one(int workers)
    {
        var config = RunConfigs.Default with
        {
            Dataset = fixture.DataDirectory,
            Layers = [ClusterFixture.Features, 32, 16, 10],
            Batch = 64,
            Workers = workers,
            Steps = 40,
            Seed = 23,
            OnSpike = "skip",
            SpikeWindow = 40,
            SpikeMinHistory = 20,
            FaultLimit = 3,
            Inject = "worker:1:from=22:noise=1000",
        };
        var run = fixture.Client.GetGrain<IRunGrain>($"fault-limit-{workers}-{Guid.NewGuid():N}");
        await run.Start(config, null);
        var status = await Wait.For(run.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the run to finish", s => $"{s.State} at step {s.Step}");
        Assert.Equal(RunState.Completed, status.State);
        var history = await run.GetHistory(0, 100);

        var faults = history.Where(r => r.Verdict == "fault").ToList();
        Assert.Equal([22L, 23L, 24L], faults.Select(r => r.Step));
        Assert.All(faults, r => Assert.Equal(1, r.Culprit));
        string faultySilo = history[22].WorkerSilos[1];
        Assert.All(history.Take(24), r => Assert.Null(r.MovedOffSilo));
        Assert.Equal(faultySilo, history[24].MovedOffSilo);
        Assert.Contains($"silo {faultySilo} had 3 fault verdicts (--fault-limit 3): worker", history[24].Placement, StringComparison.Ordinal);
        Assert.Contains(history[24].Alerts, a => a.Reason == "moved");
        Assert.All(history.Skip(25), r => Assert.DoesNotContain(faultySilo, r.WorkerSilos)); // every worker avoids that silo now
        Assert.All(history.Skip(25), r => Assert.Null(r.Spike)); // the moved worker computes on a healthy device
        Assert.Equal([faultySilo], status.AvoidedSilos);
        Assert.Equal(history[24].Placement, status.Placement);

        var trainer = new Trainer((config with { Inject = "" }).ToTrainingOptions(), DatasetCatalog.Load(fixture.DataDirectory), workers: workers);
        while (!trainer.Done) trainer.TrainStep();
        Assert.Equal(MemoryMarshal.AsBytes(trainer.Theta.AsSpan()).ToArray(), (await run.GetParameters()).Parameters);
    }
}
