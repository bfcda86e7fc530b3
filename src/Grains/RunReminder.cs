using Microsoft.Extensions.Logging;

namespace Thresher.Grains;

/// <summary>
/// The reminder that re-activates a run grain after its silo died (<see cref="SiloTrainingOptions.RunReminderSeconds"/>;
/// 0 or less: none). Kept while the run runs, dropped when it ends. Neither ever fails the run: without the reminder
/// it trains on, and only its unattended recovery is lost; a leftover one only wakes a finished run, which drops it then.
/// Call only from the grain's own turns.
/// </summary>
sealed partial class RunReminder(IGrainBase grain, int seconds, ILogger logger, string runId)
{
    const string Name = "thresher-run";

    public async Task Keep()
    {
        if (seconds <= 0) return;
        try
        {
            await grain.RegisterOrUpdateReminder(Name, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(seconds));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotKept(logger, runId, e.Message);
        }
    }

    public async Task Drop()
    {
        if (seconds <= 0) return;
        try
        {
            if (await grain.GetReminder(Name) is { } reminder) await grain.UnregisterReminder(reminder);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotKept(logger, runId, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: reminder not kept ({Reason}); after a silo failure this run resumes only when a client calls it")]
    static partial void LogNotKept(ILogger logger, string runId, string reason);
}
