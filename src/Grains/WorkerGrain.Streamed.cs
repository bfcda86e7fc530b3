using Thresher.Abstractions;
using Thresher.Core.Kernels;
using Thresher.Core.Model;
using Thresher.Core.Training;

namespace Thresher.Grains;

/// <summary>
/// The worker's side of a streamed exchange (--overlap): θ arrives in parts (<see cref="ReceiveParameters"/>, interleaved
/// with the running ComputeGradient) and the computation, off this activation's turns, starts on w1's first block
/// while the rest travels; the parameter server pulls the gradient's parts as they become final
/// (<see cref="PullGradient"/>). Core's <see cref="StreamedStep"/> holds the exchange.
/// </summary>
public sealed partial class WorkerGrain
{
    StreamedStep? _stream;       // the streamed exchange in progress, or the last one
    StreamPlan? _streamPlan;     // how θ and the gradient are cut (from the run's layers)
    byte[]? _streamedTheta;      // θ as its parts land

    public Task ReceiveParameters(ParameterPart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (_setup is null || _worker is null) return Task.CompletedTask; // its exchange answers null: the parameter server sets up and sends again
        StreamOf(part.Exchange)?.Deliver(part.Part, part.Bytes.Span); // null: a late part of a superseded exchange
        return Task.CompletedTask;
    }

    public async Task<GradientPart?> PullGradient(long exchange, int part)
    {
        if (_setup is null || _worker is null) return null;
        var stream = StreamOf(exchange);
        if (stream is null || !await stream.Gradient(part)) return null;
        // The gradient itself, not a copy: the parameter server copies the part out before it starts the next exchange,
        // the only thing that rewrites it.
        return new GradientPart(exchange, part, _gradient.AsMemory(stream.Plan.ByteOffset(part), stream.Plan.ByteLength(part)));
    }

    /// <summary>
    /// The exchange's computation, never on this turn (the parts it waits for arrive on this activation's turns): on the
    /// kernel team's helper when the gradient is single-threaded CPU work and the helper is free, else on the thread pool.
    /// The reply carries the statistics; the gradient left in parts.
    /// </summary>
    async Task<GradientResult?> ComputeStreamed(GradientRequest request)
    {
        if (StreamOf(request.Exchange) is not { } stream) return null; // a late request of a superseded exchange: nobody reads its reply
        using var span = StartSpan();
        Func<(WorkerGradientResult, double)> job = () => CalculateStreamed(request.Step, request.Worker, stream);
        (WorkerGradientResult, double) calculation;
        try
        {
            calculation = await ((_onHelper ? HelperOffload.TryStart(job) : null) ?? Task.Run(job));
        }
        catch (OperationCanceledException) when (!ReferenceEquals(_stream, stream))
        {
            return null; // superseded by a newer exchange (the parameter server retried): this reply is not read
        }
        var result = Describe(span, request.RunId, request.Step, request.Worker, _streamedTheta!, _gradient!, calculation);
        long gradientBytes = _gradient!.LongLength;
        StepTraffic.RecordWorker(request.RunId, stream.ReceivedBytes, gradientBytes);
        return result with { Gradient = [], ParametersReceivedBytes = stream.ReceivedBytes };
    }

    (WorkerGradientResult Part, double Milliseconds) CalculateStreamed(long batch, int worker, StreamedStep stream)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var theta = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(_streamedTheta.AsSpan());
        var grad = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(_gradient.AsSpan());
        var part = _worker!.Compute(batch, theta, grad, part: worker, faultyDevice: !_setUpAfterMove, stream: stream);
        return (part, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// The exchange <paramref name="exchange"/>'s state, started when its first message arrives; a higher id supersedes
    /// (abandons) the one before; a lower one is a late message of a superseded exchange (null): starting it again would
    /// wait for parts that were sent before, and hold this activation until the run's worker timeout.
    /// </summary>
    StreamedStep? StreamOf(long exchange)
    {
        if (_stream?.Exchange == exchange) return _stream;
        if (_stream is not null && exchange < _stream.Exchange) return null;
        _stream?.Abandon();
        var plan = _streamPlan ??= new StreamPlan(_worker!.Layout);
        _streamedTheta ??= new byte[plan.TotalLength * sizeof(float)];
        return _stream = new StreamedStep(exchange, plan, _streamedTheta, TimeSpan.FromSeconds(_setup!.Config.WorkerTimeoutSeconds));
    }

    /// <summary>The streamed exchange in progress ends here (this activation is moving or lost its setup): its pulls answer null.</summary>
    void AbandonStream()
    {
        _stream?.Abandon();
        _stream = null;
    }
}
