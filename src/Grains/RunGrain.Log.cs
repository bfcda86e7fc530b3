using Microsoft.Extensions.Logging;
using Thresher.Abstractions;

namespace Thresher.Grains;

/// <summary>The run grain's log lines: one per state change (started, re-activated, resumed, completed, cancelled, failed), and the warnings between them.</summary>
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: its failed state was not stored ({Reason}); a re-activation may resume it")]
    static partial void LogNotStored(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId} step {Step}: {Spike}; rewound to step {To} (--on-spike rewind)")]
    static partial void LogRewind(ILogger logger, string runId, long step, long to, string? spike);
}
