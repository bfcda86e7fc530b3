using Microsoft.Extensions.DependencyInjection;
using Thresher.Abstractions;

namespace Thresher.Grains.Tests;

/// <summary>A running run keeps a reminder (what re-activates it after its silo dies, unwatched); a finished run lets it go.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ReminderTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_running_run_has_a_reminder_and_a_cancelled_or_completed_one_has_none()
    {
        var table = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        RunConfig config = RunConfigs.Default with
        {
            Dataset = fixture.DataDirectory, Layers = [ClusterFixture.Features, 24, 10], Batch = 32, Workers = 2,
            Steps = 100_000, Init = "he", LearningRate = 0.1f,
        };
        var run = fixture.Client.GetGrain<IRunGrain>($"reminder-{Guid.NewGuid():N}");
        await run.Start(config, null);
        var rows = await table.ReadRows(run.GetGrainId());
        Assert.Equal(["thresher-run"], rows.Reminders.Select(r => r.ReminderName));
        Assert.Equal(TimeSpan.FromSeconds(60), rows.Reminders[0].Period);

        await run.Cancel();
        Assert.Empty((await table.ReadRows(run.GetGrainId())).Reminders);

        var shortRun = fixture.Client.GetGrain<IRunGrain>($"reminder-{Guid.NewGuid():N}");
        await shortRun.Start(config with { Steps = 10 }, null);
        await Wait.For(shortRun.GetStatus, s => s.State.IsFinished(), TimeSpan.FromSeconds(60), "the 10-step run to finish", s => $"{s.State} at step {s.Step}");
        // The run drops its reminder as it finishes, just after the status says so.
        await Wait.Until(async () => (await table.ReadRows(shortRun.GetGrainId())).Reminders.Count == 0, TimeSpan.FromSeconds(10),
            "the finished run's reminder to be unregistered");
    }
}
