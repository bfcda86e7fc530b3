using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Thresher.Abstractions;
using Thresher.Core.Data;
using Thresher.Core.Model;
using Thresher.Core.Optim;
using Thresher.Core.Telemetry;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The parameter server of one run (key: run id). A step: send θ to every worker in parallel, sum their
/// gradients (each already scaled by 1/B, so the sum is the mean-loss gradient of the global batch), then
/// Core's <see cref="UpdateRule"/> (global norm → clip_by_global_norm → non-finite policy → SGD).
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed class ParameterServerGrain(SiloDatasets datasets, IOptions<SiloTrainingOptions> options) : Grain, IParameterServerGrain
{
    RunConfig? _config;
    TrainingOptions? _training;
    Dataset? _data;
    byte[] _theta = [];    // θ as float32 bytes; mutated only between steps, never while a step's calls are in flight
    float[] _gradient = [];
    UpdateRule? _update;
    BatchSchedule? _schedule;
    IWorkerGrain[] _workers = [];
    Mlp? _evaluator;
    long _nextStep;

    public Task<int> Initialize(RunConfig config, byte[]? initialParameters)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var training = config.ToTrainingOptions();
        var data = datasets.Load(config.Dataset);
        data.Train.ValidateFor(training.Layers.Inputs, training.Layers.Outputs);
        data.Test.ValidateFor(training.Layers.Inputs, training.Layers.Outputs);
        var layout = new ParameterLayout(training.Layers);
        var theta = new byte[layout.TotalLength * sizeof(float)];
        if (initialParameters is null)
            Initializer.Initialize(MemoryMarshal.Cast<byte, float>(theta.AsSpan()), layout, training.Init, training.Seed);
        else if (initialParameters.Length != theta.Length)
            throw new Thresher.ThresherInputException($"initial parameters have {initialParameters.Length / sizeof(float)} floats; layers {training.Layers} need {layout.TotalLength}");
        else
            initialParameters.CopyTo(theta, 0);

        _config = config;
        _training = training;
        _data = data;
        _theta = theta;
        _gradient = new float[layout.TotalLength];
        _update = new UpdateRule(layout, new SgdOptimizer(training.LearningRate, training.Momentum, layout.TotalLength), training.Clip, training.NonFinite);
        _schedule = WorkerGradient.CreateSchedule(training, data.Train.Count, config.Workers, config.IsFixedShards);
        _workers = [.. Enumerable.Range(0, config.Workers).Select(w => GrainFactory.GetGrain<IWorkerGrain>($"{this.GetPrimaryKeyString()}/{w}"))];
        _evaluator = new Mlp(training.Layers, 1000, Math.Max(1, options.Value.EvaluationThreads));
        _nextStep = 0;
        return Task.FromResult(_schedule.StepsPerEpoch);
    }

    public async Task<StepRecord> Step(long step, bool evaluate)
    {
        if (_update is null || _config is null || _training is null || _schedule is null || _data is null || _evaluator is null)
            throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()} was not initialised");
        if (step != _nextStep)
            throw new InvalidOperationException($"parameter server {this.GetPrimaryKeyString()}: asked for step {step}, expected {_nextStep}");
        var started = Stopwatch.GetTimestamp();
        string runId = this.GetPrimaryKeyString();
        var calls = new Task<GradientResult>[_workers.Length];
        for (int w = 0; w < _workers.Length; w++)
            calls[w] = ComputeWithRetry(_workers[w], new GradientRequest(runId, _config, step, w, _theta));
        var parts = await Task.WhenAll(calls);

        double lossSum = 0;
        int samples = 0;
        var workerNorms = new double[parts.Length];
        var silos = new string[parts.Length];
        // Σ_w g_w in worker order. One worker: its buffer is the sum, read in place (the worker rewrites it
        // only when asked for the next step). Several: g_0 + g_1 in one pass, then += g_w (same float sums).
        using (TrainingTelemetry.Source.StartActivity(TelemetryNames.AggregateSpan))
        {
            for (int w = 0; w < parts.Length; w++)
            {
                var g = MemoryMarshal.Cast<byte, float>(parts[w].Gradient.AsSpan());
                if (w == 1) TensorPrimitives.Add(MemoryMarshal.Cast<byte, float>(parts[0].Gradient.AsSpan()), g, _gradient);
                else if (w > 1) TensorPrimitives.Add(_gradient, g, _gradient);
                lossSum += parts[w].LossSum;
                samples += parts[w].Samples;
                workerNorms[w] = parts[w].LocalNorm;
                silos[w] = parts[w].Silo;
            }
        }

        ReadOnlySpan<float> meanGradient = parts.Length == 1 ? MemoryMarshal.Cast<byte, float>(parts[0].Gradient.AsSpan()) : _gradient;
        ClipDecision decision;
        using (var clip = TrainingTelemetry.Source.StartActivity(TelemetryNames.ClipSpan))
        {
            decision = _update.Measure(meanGradient);
            clip?.SetTag(TelemetryNames.GlobalNorm, decision.GlobalNorm);
            clip?.SetTag(TelemetryNames.ClipScale, (double)decision.Scale);
        }
        var theta = MemoryMarshal.Cast<byte, float>(_theta.AsSpan());
        StepStatistics stats;
        using (TrainingTelemetry.Source.StartActivity(TelemetryNames.UpdateSpan))
            stats = _update.Apply(theta, meanGradient, step, lossSum / samples, decision);
        _nextStep = step + 1;
        double? accuracy = null;
        if (evaluate)
        {
            using var eval = TrainingTelemetry.Source.StartActivity(TelemetryNames.EvaluateSpan);
            accuracy = Evaluation.Accuracy(_evaluator, theta, _data.Test, _training.InputScale);
            eval?.SetTag(TelemetryNames.TestAccuracy, accuracy);
        }
        return new StepRecord(step, _schedule.EpochOf(step), stats.Loss, stats.GlobalNorm, stats.ClippedNorm, stats.ClipScale,
            stats.Clipped, stats.Skipped, stats.TensorNorms, workerNorms, accuracy,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, silos);
    }

    /// <summary>
    /// One worker's gradient, asked again (at most <see cref="WorkerCallAttempts"/> times in all) when the call
    /// failed in Orleans rather than in the worker: a silo that stops gracefully, or dies, rejects the calls to
    /// its activations ("Silo stopping", SiloUnavailableException), and the next call re-activates the worker on
    /// another silo. Safe because the request carries everything (θ, step, worker index) and the work is
    /// deterministic: a retry returns the same gradient, and the step is applied once, here, after all parts.
    /// Exceptions the worker itself throws (bad data, invalid config) are not Orleans' and fail the step at once.
    /// </summary>
    static async Task<GradientResult> ComputeWithRetry(IWorkerGrain worker, GradientRequest request)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await worker.ComputeGradient(request);
            }
            catch (OrleansException) when (attempt < WorkerCallAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)); // let membership catch up with a leaving silo
            }
        }
    }

    const int WorkerCallAttempts = 3;

    public Task<ParameterSnapshot> GetParameters()
        => Task.FromResult(new ParameterSnapshot(_nextStep, _config?.Layers ?? [], (byte[])_theta.Clone()));

    public Task Release()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
