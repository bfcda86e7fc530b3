using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Thresher.Abstractions;
using Thresher.Core.Backends;
using Thresher.Core.Kernels;
using Thresher.Core.Sharding;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// One worker of one run (key "run id/worker index"): computes its part of each step's gradient with Core's
/// <see cref="WorkerGradient"/>. Holds its setup (the run's config, once per activation) and caches (model
/// workspace, gradient buffer). A fresh activation (re-placed on another silo) answers null until the parameter
/// server sends the setup again, so a re-activation anywhere changes nothing. The gradient runs on the silo's
/// <see cref="GradientBackendFactory"/> service (the CPU backend when the host registered none). Placed away from the
/// silos its run moved its workers off (<see cref="AvoidSuspectSilosPlacement"/>); an activation on such a silo migrates
/// (as a fresh activation) when asked for a gradient, so the next call finds the worker elsewhere.
/// </summary>
[AvoidSuspectSilosPlacement]
public sealed partial class WorkerGrain(
    SiloDatasets datasets, IOptions<SiloTrainingOptions> options, ILocalSiloDetails silo, IClusterMembershipService membership, IServiceProvider services)
    : Grain, IWorkerGrain
{
    WorkerSetup? _setup;
    WorkerGradient? _worker;
    byte[]? _gradient; // reused each step: the parameter server has finished reading it before it asks again
    byte[]? _replay;   // a replayed part of another worker (the response ladder's), likewise reused
    // Set up after the run moved workers off a silo: a fresh device (the run's injected worker faults belonged to the device it left).
    bool _setUpAfterMove;
    bool _onHelper;    // its gradient is single-threaded CPU work: offered to the kernel team's helper (HelperOffload)
    byte[]? _theta;    // a sharded run's θ, gathered from the shards each step
    ShardPlan? _plan;  // a sharded run's shard plan (from the config)

    public Task SetUp(WorkerSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (_setup is not null) return Task.CompletedTask; // a run's config never changes: a second setup is a repeat
        var config = setup.Config;
        var data = datasets.Load(config.Dataset);
        var backend = services.GetService<GradientBackendFactory>() ?? GradientBackendFactory.Cpu;
        int threads = WorkerThreads(config.Workers);
        _worker = new WorkerGradient(config.ToTrainingOptions(), data.Train, config.Workers, setup.Worker, config.IsFixedShards, threads, backend);
        _onHelper = threads == 1 && backend.OnCpu;
        _gradient = new byte[_worker.ParameterCount * sizeof(float)];
        _setUpAfterMove = RequestContext.Get(AvoidedSilos.Key) is string { Length: > 0 };
        _setup = setup;
        services.GetService<LocalRuns>()?.WorkerSetUp(setup.RunId);
        return Task.CompletedTask;
    }

    public Task<GradientResult?> ComputeGradient(GradientRequest request) => Compute(request, replay: false);

    public Task<GradientResult?> ReplayGradient(GradientRequest request) => Compute(request, replay: true);

    Task<GradientResult?> Compute(GradientRequest request, bool replay)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_setup is null || _worker is null) return Task.FromResult<GradientResult?>(null); // not set up: ask for the setup
        if (MustMove())
        {
            AbandonStream();
            // The run moved its workers off this silo: migrate (placement reads this call's request context, which names
            // the avoided silos), as a fresh activation; the parameter server's SetUp and retry follow it there.
            _setup = null;
            MigrateOnIdle();
            return Task.FromResult<GradientResult?>(null);
        }
        // A replay writes its own buffer: the parameter server still reads this worker's part of the same step.
        if (request.Exchange != 0 && !replay) return ComputeStreamed(request);
        byte[] buffer = replay ? (_replay ??= new byte[_gradient!.Length]) : _gradient!;
        if (_onHelper) return ComputeOnHelper(request, buffer, replay);
        return Task.FromResult<GradientResult?>(Sent(request.RunId, Compute(request.RunId, request.Step, request.Worker, request.Parameters, buffer), encode: !replay));
    }

    /// <summary>
    /// A single-threaded CPU gradient: on the kernel team's helper when it is free (<see cref="HelperOffload"/>: the W
    /// workers a parameter server asks at once then start at once), else on this turn's thread. The span is this turn's,
    /// so it stays beneath the step's.
    /// </summary>
    async Task<GradientResult?> ComputeOnHelper(GradientRequest request, byte[] buffer, bool replay)
    {
        using var span = StartSpan();
        var onHelper = HelperOffload.TryStart(() => Calculate(request.Step, request.Worker, request.Parameters, buffer));
        var calculation = onHelper is null ? Calculate(request.Step, request.Worker, request.Parameters, buffer) : await onHelper;
        return Sent(request.RunId, Describe(span, request.RunId, request.Step, request.Worker, request.Parameters, buffer, calculation), encode: !replay);
    }

    /// <summary>
    /// A sharded run's part: θ's slices fetched from every shard in parallel (each |θ|/S-ish), the gradient computed, its
    /// slices pushed to the shards in parallel; the reply carries no gradient. A retried request fetches and pushes again:
    /// the same θ gives the same slices, which replace the first push.
    /// </summary>
    public async Task<GradientResult?> ComputeSharded(ShardedGradientRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_setup is null || _worker is null) return null;
        var plan = _plan ??= _setup.Config.ShardPlan();
        var shards = Enumerable.Range(0, plan.Count).Select(s => GrainFactory.GetGrain<IParameterShardGrain>($"{request.RunId}/{s}")).ToArray();
        var slices = await Task.WhenAll(shards.Select(shard => shard.GetParameters(request.Step)));
        _theta ??= new byte[_gradient!.Length];
        plan.Gather(slices, _theta);
        var result = Sent(request.RunId, Compute(request.RunId, request.Batch, request.Worker, _theta, _gradient!), encode: false);
        await Task.WhenAll(shards.Select((shard, s) => shard.Push(request.Step, request.Worker, plan.Slice(_gradient, s))));
        return result with { Gradient = [] };
    }

    /// <summary>Its part of data batch <paramref name="batch"/> at θ into <paramref name="buffer"/>, traced.</summary>
    GradientResult Compute(string runId, long batch, int worker, byte[] parameters, byte[] buffer)
    {
        using var span = StartSpan();
        return Describe(span, runId, batch, worker, parameters, buffer, Calculate(batch, worker, parameters, buffer));
    }

    static Activity? StartSpan() => TrainingTelemetry.Source.StartActivity(TelemetryNames.WorkerSpan);

    /// <summary>The gradient itself and its milliseconds: touches only the worker's model and these buffers, so it may run on another thread while this turn awaits it.</summary>
    (WorkerGradientResult Part, double Milliseconds) Calculate(long batch, int worker, byte[] parameters, byte[] buffer)
    {
        var started = Stopwatch.GetTimestamp();
        var theta = MemoryMarshal.Cast<byte, float>(parameters.AsSpan());
        var grad = MemoryMarshal.Cast<byte, float>(buffer.AsSpan());
        var part = _worker!.Compute(batch, theta, grad, part: worker, faultyDevice: !_setUpAfterMove);
        return (part, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    GradientResult Describe(Activity? span, string runId, long batch, int worker, byte[] parameters, byte[] buffer, (WorkerGradientResult Part, double Milliseconds) calculation)
    {
        var (part, milliseconds) = calculation;
        if (span is not null)
        {
            span.SetTag(TelemetryNames.RunId, runId);
            span.SetTag(TelemetryNames.Step, batch);
            span.SetTag(TelemetryNames.Worker, worker);
            span.SetTag(TelemetryNames.Shard, $"{worker}/{_setup!.Config.Workers} {_setup.Config.ShardMode}");
            span.SetTag(TelemetryNames.BatchSize, part.Samples);
            span.SetTag(TelemetryNames.LocalNorm, part.LocalNorm);
            span.SetTag(TelemetryNames.ComputeMilliseconds, milliseconds);
        }
        return new GradientResult(batch, worker, buffer, part.Samples, part.LossSum, part.LocalNorm, milliseconds, SiloName)
        {
            ParametersReceivedBytes = parameters.LongLength,
        };
    }

    string SiloName => AvoidedSilos.Name(silo.SiloAddress);

    /// <summary>This silo is one the run avoids, and an active silo it does not avoid is there to go to.</summary>
    bool MustMove()
    {
        var avoided = AvoidedSilos.Current();
        return avoided.Contains(SiloName) && membership.CurrentSnapshot.Members.Values.Any(
            m => m.Status == SiloStatus.Active && !avoided.Contains(AvoidedSilos.Name(m.SiloAddress)));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _worker?.Dispose(); // frees a GPU backend's device buffers
        _worker = null;
        if (_setup is not null) services.GetService<LocalRuns>()?.WorkerGone(_setup.RunId);
        _setup = null;
        _plan = null;
        AbandonStream();
        return Task.CompletedTask;
    }

    int WorkerThreads(int workers)
    {
        int configured = options.Value.WorkerThreads;
        if (configured > 0) return configured;
        return Math.Max(1, Environment.ProcessorCount / Math.Max(1, workers));
    }
}
