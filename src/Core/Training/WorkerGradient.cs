using Thresher.Core.Backends;
using Thresher.Core.Data;
using Thresher.Core.Model;

namespace Thresher.Core.Training;

/// <summary>What one worker computed for one step.</summary>
/// <param name="Samples">Rows in the worker's part of the step (n_w).</param>
/// <param name="LossSum">Σ of the per-row loss over those rows.</param>
/// <param name="LocalNorm">‖∇ mean loss over the worker's own rows‖; NaN when the caller did not ask for it.</param>
public readonly record struct WorkerGradientResult(int Samples, double LossSum, double LocalNorm);

/// <summary>
/// One worker's share of a step: gathers its rows of the step's batch (per <see cref="BatchSchedule"/>),
/// then writes g_w = (1/B)·∇ Σ_{its rows} loss, where B is the step's global batch. The mean-loss
/// gradient of the step is therefore Σ_w g_w, and one worker (W = 1) is the single-process trainer.
/// The forward/backward pass runs on a <see cref="IGradientBackend"/> (default: the SIMD CPU backend).
/// Owns its workspace; one instance per worker.
/// </summary>
public sealed class WorkerGradient : IDisposable
{
    readonly TrainingOptions _options;
    readonly DataSplit _train;
    readonly IGradientBackend _backend;
    readonly int[] _indices;  // [n_w]

    public WorkerGradient(TrainingOptions options, DataSplit train, int workers, int worker, bool fixedShards, int threads)
        : this(options, train, workers, worker, fixedShards, threads, GradientBackendFactory.Cpu)
    {
    }

    public WorkerGradient(TrainingOptions options, DataSplit train, int workers, int worker, bool fixedShards, int threads, GradientBackendFactory backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        train.ValidateFor(options.Layers.Inputs, options.Layers.Outputs);
        ArgumentOutOfRangeException.ThrowIfNegative(worker);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(worker, workers);
        _options = options;
        _train = train;
        Worker = worker;
        Schedule = CreateSchedule(options, train.Count, workers, fixedShards);
        int maxRows = (options.Batch + workers - 1) / workers;
        Layout = new ParameterLayout(options.Layers);
        _indices = new int[maxRows];
        _backend = backend.Create(options.Layers, maxRows, threads);
    }

    public BatchSchedule Schedule { get; }

    public int Worker { get; }

    public int ParameterCount => Layout.TotalLength;

    public ParameterLayout Layout { get; }

    /// <summary>The backend's name ("cpu", "cuda: …").</summary>
    public string BackendName => _backend.Name;

    /// <summary>The batch plan every worker and the parameter server of a run share.</summary>
    public static BatchSchedule CreateSchedule(TrainingOptions options, int trainCount, int workers, bool fixedShards)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new BatchSchedule(trainCount, options.Batch, workers, unchecked((ulong)options.Seed), options.Shuffle,
            fixedShards ? ShardMode.Fixed : ShardMode.Batch);
    }

    /// <summary>
    /// Writes this worker's g_w for <paramref name="step"/> (the data batch id: the step unless a rewind moved the
    /// cursor) at θ, with the run's injected faults (<see cref="TrainingOptions.Inject"/>) that apply to it into <paramref name="gradient"/>. The local norm is
    /// one more pass over the gradient (~0.17 ms for the tutorial MLP on Ice Lake): the cluster's per-worker
    /// telemetry needs it; the single-process trainer, whose one worker's norm is the global norm, skips it.
    /// </summary>
    /// <param name="part">Whose rows: this worker's (null, default), or another worker's part when replaying it
    /// (a spike's suspect); the injected worker faults are this worker's either way — they belong to the device.</param>
    /// <param name="faultyDevice">Whether this worker's injected faults apply (they belong to its device): false for a
    /// cluster worker moved off its silo after the run's fault limit.</param>
    /// <param name="stream">θ arriving and the gradient leaving in parts (--overlap); null when θ is all here. The
    /// gradient's parts are announced early only where nothing rewrites them afterwards (no injected fault of this
    /// worker's applies to the step), else all at once at the end; a backend that cannot stream waits for all of θ.</param>
    public WorkerGradientResult Compute(long step, ReadOnlySpan<float> theta, Span<float> gradient, bool withLocalNorm = true, int? part = null, bool faultyDevice = true, IStepStream? stream = null)
    {
        int rows = Schedule.WorkerIndices(step, part ?? Worker, _indices);
        int globalBatch = Schedule.GlobalBatch;
        float inputScale = _options.InputScale;
        foreach (var rule in _options.Inject)
            if (rule.Kind == InjectionKind.ScaleBatch && rule.Batch == step) inputScale = (float)(inputScale / rule.Amount); // x·X = x / (scale / X)
        bool rewrites = faultyDevice && RewritesAny(step);
        double lossSum;
        if (stream is not null && !rewrites && _backend is IStreamingGradientBackend streaming)
        {
            lossSum = streaming.Gradient(gradient, theta, _train, _indices.AsSpan(0, rows), inputScale, _options.Loss, 1f / globalBatch, stream);
        }
        else
        {
            stream?.AwaitParameters(theta.Length);
            lossSum = _backend.Gradient(gradient, theta, _train, _indices.AsSpan(0, rows), inputScale, _options.Loss, 1f / globalBatch);
        }
        foreach (var rule in _options.Inject)
        {
            if (!faultyDevice || !Rewrites(rule, step)) continue;
            if (rule.Kind == InjectionKind.WorkerNoise) InjectionRule.AddNoise(gradient, rule.Amount, _options.Seed, step, Worker);
            if (rule.Kind == InjectionKind.WorkerNaN && gradient.Length > 0) gradient[0] = float.NaN;
        }
        stream?.GradientReady(0, gradient.Length); // idempotent for parts already announced
        double localNorm = withLocalNorm ? Ops.ClipOps.GlobalNorm(gradient) * globalBatch / Math.Max(1, rows) : double.NaN;
        return new WorkerGradientResult(rows, lossSum, localNorm);
    }

    /// <summary>Whether any injected fault rewrites this worker's gradient at <paramref name="step"/> (a loop, not LINQ: no closure per step).</summary>
    bool RewritesAny(long step)
    {
        foreach (var rule in _options.Inject)
            if (Rewrites(rule, step)) return true;
        return false;
    }

    /// <summary>An injected fault that rewrites this worker's gradient at <paramref name="step"/>.</summary>
    bool Rewrites(InjectionRule rule, long step) => rule.Worker == Worker
        && ((rule.Kind == InjectionKind.WorkerNoise && step >= rule.Batch) || (rule.Kind == InjectionKind.WorkerNaN && step == rule.Batch));

    public void Dispose() => _backend.Dispose();
}
