using Microsoft.Extensions.Logging;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>The run grain's log lines: one per state change (started, re-activated, resumed, completed, cancelled, failed, stalled, stood down), and the warnings between them.</summary>
public sealed partial class RunGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} started: {Config}; {TotalSteps} steps")]
    static partial void LogStarted(ILogger logger, string runId, string config, long totalSteps);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} completed after {Steps} steps")]
    static partial void LogCompleted(ILogger logger, string runId, int steps);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId} cancelled after {Steps} steps")]
    static partial void LogCancelled(ILogger logger, string runId, int steps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} failed after {Steps} steps: {Error}")]
    static partial void LogFailed(ILogger logger, string runId, int steps, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} re-activated from storage with {Steps} recorded steps; resuming")]
    static partial void LogReactivated(ILogger logger, string runId, int steps);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} resumed from its checkpoint at step {Step}; {Lost} steps are re-run")]
    static partial void LogResumed(ILogger logger, string runId, long step, long lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} resumed from its checkpoint at step {Step} after re-activation; the steps its lost activation ran after it are re-run")]
    static partial void LogResumedAfterReactivation(ILogger logger, string runId, long step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} step {Step}: gradient explosion ({Reason}): {Detail}")]
    static partial void LogExplosion(ILogger logger, string runId, long step, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} step {Step}: attempt {Failures} failed in Orleans ({Kind}: {Reason}); resuming from the parameter server's state")]
    static partial void LogRetry(ILogger logger, string runId, long step, int failures, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} goes on from step {Step} after passing over checkpoints: {Warning}")]
    static partial void LogCheckpointWarning(ILogger logger, string runId, long step, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} stalled at step {Step}: checkpoint storage unavailable ({Kind}: {Reason}); retrying with backoff")]
    static partial void LogStalled(ILogger logger, string runId, int step, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId}: checkpoint storage answers again after {Seconds:F1} s ({Failures} failed writes); going on")]
    static partial void LogStorageRecovered(ILogger logger, string runId, double seconds, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} stood down at step {Step}: {Reason}")]
    static partial void LogStoodDown(ILogger logger, string runId, int step, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: its reminder found it running at step {Step} without a timer; timer restarted")]
    static partial void LogTimerRestarted(ILogger logger, string runId, int step);

    [LoggerMessage(Level = LogLevel.Error, Message = "run {RunId}: a tick at step {Step} failed unexpectedly ({Kind}: {Reason}); the next tick is in 1 s")]
    static partial void LogTickFailed(ILogger logger, string runId, int step, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: the run registry was not told it ended ({Kind}: {Reason}); a silo's death may wake it once more")]
    static partial void LogNotRetired(ILogger logger, string runId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: its failed state was not stored ({Reason}); a re-activation may resume it")]
    static partial void LogNotStored(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} step {Step}: {Spike}; rewound to step {To} (--on-spike rewind)")]
    static partial void LogRewind(ILogger logger, string runId, long step, long to, string? spike);
}
