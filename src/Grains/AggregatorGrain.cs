using Thresher.Abstractions;
using Thresher.Core.Aggregation;

namespace Thresher.Grains;

/// <summary>
/// A run's pre-aggregator on one silo (key "run id/silo"; --aggregate per-silo). Each step: θ arrives once from the
/// parameter server and goes to each of the request's workers as the same bytes (on this silo no copy: [Immutable]),
/// their gradients come back with the parameter server's retry rule (<see cref="WorkerCalls"/>), and Core's
/// <see cref="PartialSum"/> adds them in worker order into this grain's buffer. The reply is that one sum and each
/// worker's statistics (loss, rows, local norm, silo) without its gradient. Stateless beyond the setup and the
/// buffer: a fresh activation answers null, gets its setup and is asked again, and the same θ gives the same sum.
/// </summary>
/// <remarks>Collected after 2 idle minutes (a finished run's aggregators hold a |θ| buffer; a fresh one costs one setup).</remarks>
[SiloInKeyPlacement]
[CollectionAgeLimit(Minutes = 2)]
public sealed class AggregatorGrain(ILocalSiloDetails silo) : Grain, IAggregatorGrain
{
    AggregatorSetup? _setup;
    byte[]? _sum; // reused each step: the parameter server has finished reading it before it asks again

    public Task SetUp(AggregatorSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _setup ??= setup; // a run's config never changes: a second setup is a repeat
        return Task.CompletedTask;
    }

    public async Task<SiloGradient?> Aggregate(AggregateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_setup is not { } setup) return null; // not set up: ask for the setup
        var timeout = TimeSpan.FromSeconds(setup.Config.WorkerTimeoutSeconds);
        var replies = await Task.WhenAll(request.Workers.Select(w => WorkerCalls.ComputeWithRetry(
            GrainFactory.GetGrain<IWorkerGrain>($"{request.RunId}/{w}"), new WorkerSetup(request.RunId, setup.Config, w),
            new GradientRequest(request.RunId, request.Batch, w, request.Parameters), timeout)));
        // A worker's gradient is read here before it is asked for the next step, so its buffer is not copied.
        if (_sum is null || _sum.Length != request.Parameters.Length) _sum = new byte[request.Parameters.Length];
        byte[] sum = PartialSum.Add([.. replies.Select(r => r.Gradient)], _sum);
        string here = AvoidedSilos.Name(silo.SiloAddress);
        long received = replies.Sum(r => r.Gradient.LongLength);
        long remote = replies.Where(r => r.Silo != here).Sum(r => r.Gradient.LongLength);
        StepTraffic.RecordAggregator(request.RunId, received, sum.LongLength);
        return new SiloGradient(sum, [.. replies.Select(r => r with { Gradient = [] })], here, received, remote,
            request.Parameters.LongLength * request.Workers.Length);
    }
}
