using System.Diagnostics;
using Thresher.Abstractions;
using Thresher.Core.Aggregation;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The parameter server's step with per-silo pre-aggregation (--aggregate per-silo): θ goes once to each silo's
/// <see cref="AggregatorGrain"/>, which hands it to the silo's workers and answers one sum; the parameter server adds
/// the silos' sums (in the order of their lowest worker) and takes Core's step with each worker's loss, rows and local
/// norm kept in worker order. It receives silos·|θ| gradient bytes per step instead of W·|θ|.
/// </summary>
public sealed partial class ParameterServerGrain
{
    // Where each worker answered from at the last step (worker order): the grouping of the next step. Null in a fresh
    // activation: its first step sends every worker through the aggregator of this silo (one group, the plain sum).
    string[]? _workerSilos;

    async Task<StepRecord> StepPreAggregated(long step, bool evaluate)
    {
        var started = Stopwatch.GetTimestamp();
        string runId = this.GetPrimaryKeyString();
        long batch = _step!.Guard.BatchOf(step);
        _placement!.BeginStep();
        var groups = _workerSilos is { } silos && silos.Length == _workers.Length
            ? SiloGrouping.Of(silos)
            : [new SiloGroup(LocalSilo, [.. Enumerable.Range(0, _workers.Length)])];
        var setup = new AggregatorSetup(runId, _config!);
        var sums = await Task.WhenAll(groups.Select(g => AggregatorCalls.AggregateWithRetry(
            GrainFactory.GetGrain<IAggregatorGrain>($"{runId}/{g.Silo}"), setup, new AggregateRequest(runId, batch, g.Workers, _theta), 2 * WorkerTimeout)));
        var replies = new GradientResult[_workers.Length];
        foreach (var reply in sums.SelectMany(s => s.Workers)) replies[reply.Worker] = reply;
        _workerSilos = Array.ConvertAll(replies, r => r.Silo);
        _stepBytes = AggregatedTraffic(sums, replies);

        MeasuredStep measured;
        using (var clip = TrainingTelemetry.Source.StartActivity(TelemetryNames.ClipSpan))
        {
            measured = _step.Measure([.. sums.Select(s => s.Sum)], [.. replies.Select(r => new WorkerGradientResult(r.Samples, r.LossSum, r.LocalNorm))]);
            clip?.SetTag(TelemetryNames.GlobalNorm, measured.Decision.GlobalNorm);
            clip?.SetTag(TelemetryNames.ClipScale, (double)measured.Decision.Scale);
            clip?.SetTag(TelemetryNames.ClipThreshold, measured.Decision.Threshold);
        }
        StepStatistics stats;
        using (TrainingTelemetry.Source.StartActivity(TelemetryNames.UpdateSpan))
            stats = _step.Apply(_theta, measured, step);
        _nextStep = stats.RewindTo ?? step + 1;
        double? accuracy = evaluate && stats.RewindTo is null ? Evaluate(_theta) : null;
        return _lastRecord = Record(stats, measured.WorkerNorms, accuracy, started, Array.ConvertAll(replies, r => r.Silo));
    }

    /// <summary>
    /// The step's payload bytes by role: θ to each aggregator and one sum back (the parameter server's, remote when the
    /// aggregator is on another silo), the workers' θ and gradients as they measured them, and the aggregators' side.
    /// </summary>
    CommunicationBytes AggregatedTraffic(SiloGradient[] sums, GradientResult[] replies)
    {
        string local = LocalSilo;
        long theta = _theta.LongLength, sent = 0, received = 0, remoteSent = 0, remoteReceived = 0;
        foreach (var s in sums)
        {
            bool remote = s.Silo != local;
            sent += theta;
            received += s.Sum.LongLength;
            remoteSent += remote ? theta : 0;
            remoteReceived += remote ? s.Sum.LongLength : 0;
        }
        long workersSent = sums.Sum(s => s.GradientsReceived);
        return new CommunicationBytes(replies.Sum(r => r.ParametersReceivedBytes), workersSent, received, sent, remoteReceived, remoteSent)
        {
            AggregatorReceived = workersSent,
            AggregatorSent = received,
            AggregatorRemoteReceived = sums.Sum(s => s.RemoteGradientsReceived),
        };
    }
}
