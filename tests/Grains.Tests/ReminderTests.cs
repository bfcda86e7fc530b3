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
        RunConfig config = new()
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
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await shortRun.GetStatus()).State.IsFinished())
        {
            Assert.True(DateTime.UtcNow < deadline, "run did not finish");
            await Task.Delay(20);
        }
        for (int i = 0; i < 50 && (await table.ReadRows(shortRun.GetGrainId())).Reminders.Count > 0; i++) await Task.Delay(20);
        Assert.Empty((await table.ReadRows(shortRun.GetGrainId())).Reminders);
    }
}
