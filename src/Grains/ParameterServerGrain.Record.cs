using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Thresher.Abstractions;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>The parameter server's step record: what a step did, who computed it, and what it moved.</summary>
public sealed partial class ParameterServerGrain
{
    /// <summary>The step's record: its statistics, the workers' norms and silos, the accuracy when evaluated, the time since <paramref name="started"/>.</summary>
    StepRecord Record(StepStatistics stats, double[] workerNorms, double? accuracy, long started, string[] silos)
    {
        StepTraffic.RecordServer(this.GetPrimaryKeyString(), _stepBytes);
        return new(stats.Step, _schedule!.EpochOf(stats.BatchId), stats.Loss, stats.GlobalNorm, stats.ClippedNorm, stats.ClipScale,
            stats.Clipped, stats.Skipped, stats.TensorNorms, workerNorms, accuracy,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, silos)
        {
            LearningRate = stats.LearningRate,
            ClipThreshold = stats.ClipThreshold,
            BatchId = stats.BatchId,
            Spike = stats.Spike,
            Action = SpikeOptions.Name(stats.Action),
            RewindTo = stats.RewindTo,
            Event = stats.Event,
            Culprit = stats.Culprit,
            Verdict = ReplayVerdict.Name(stats.Verdict),
            Bytes = _stepBytes,
            Placement = _placement?.StepMove.Placement,
            MovedOffSilo = _placement?.StepMove.MovedOff,
        };
    }

    /// <summary>This silo's endpoint, as workers name theirs in <see cref="GradientResult.Silo"/>.</summary>
    string LocalSilo => ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.ToString();
}
