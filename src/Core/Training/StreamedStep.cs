using Thresher.Core.Model;

namespace Thresher.Core.Training;

/// <summary>
/// A worker's side of one streamed exchange (--overlap, <see cref="StreamPlan"/>): θ's parts land in the worker's θ
/// buffer as they arrive (<see cref="Deliver"/>, from the grain's turns) while the compute thread waits for the parts
/// it reads next (<see cref="AwaitParameters"/>); the compute thread announces final gradient parts
/// (<see cref="GradientReady"/>) and the grain's pulls await them (<see cref="Gradient"/>).
/// Parts are written to disjoint ranges of θ, and a part is marked arrived only after its bytes are in place (the
/// event's set and wait order the copy before the computing thread's reads).
/// </summary>
public sealed class StreamedStep(long exchange, StreamPlan plan, byte[] theta, TimeSpan timeout) : IStepStream
{
    readonly ManualResetEventSlim[] _arrived = [.. Enumerable.Range(0, plan.Count).Select(_ => new ManualResetEventSlim(false))];
    readonly TaskCompletionSource<bool>[] _ready = [.. Enumerable.Range(0, plan.Count).Select(_ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously))];
    volatile bool _abandoned;
    long _receivedBytes;

    /// <summary>The exchange's id (the parameter server's, unique per exchange).</summary>
    public long Exchange { get; } = exchange;

    public StreamPlan Plan { get; } = plan;

    /// <summary>θ bytes delivered so far (each part counted once).</summary>
    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes);

    /// <summary>Copies part <paramref name="part"/> of θ into place and wakes a computation waiting for it; a repeated part (a retried send of the same θ) is ignored.</summary>
    public void Deliver(int part, ReadOnlySpan<byte> bytes)
    {
        if ((uint)part >= (uint)Plan.Count)
            throw new ArgumentOutOfRangeException(nameof(part), part, $"θ has {Plan.Count} parts");
        if (bytes.Length != Plan.ByteLength(part))
            throw new ArgumentException($"θ part {part} has {bytes.Length} bytes; the plan says {Plan.ByteLength(part)}", nameof(bytes));
        if (_arrived[part].IsSet) return;
        bytes.CopyTo(theta.AsSpan(Plan.ByteOffset(part)));
        Interlocked.Add(ref _receivedBytes, bytes.Length);
        _arrived[part].Set();
    }

    /// <summary>Blocks until every part that starts below <paramref name="end"/> has arrived; throws when the exchange was abandoned or a part did not come within the timeout.</summary>
    public void AwaitParameters(int end)
    {
        for (int p = 0; p < Plan.Count && Plan.Parts[p].Start < end; p++)
        {
            if (!_arrived[p].Wait(timeout))
                throw new TimeoutException($"exchange {Exchange}: θ part {p} of {Plan.Count} did not arrive within {timeout.TotalSeconds:F0} s");
            if (_abandoned) throw new OperationCanceledException($"exchange {Exchange} was abandoned");
        }
    }

    /// <summary>Marks every part inside [start, end) final: its pulls are answered.</summary>
    public void GradientReady(int start, int end)
    {
        for (int p = 0; p < Plan.Count; p++)
            if (Plan.Parts[p].Start >= start && Plan.Parts[p].End <= end) _ready[p].TrySetResult(true);
    }

    /// <summary>Completes with true once part <paramref name="part"/> of the gradient is final, false when the exchange is abandoned first.</summary>
    public Task<bool> Gradient(int part) => (uint)part < (uint)Plan.Count
        ? _ready[part].Task
        : throw new ArgumentOutOfRangeException(nameof(part), part, $"the gradient has {Plan.Count} parts");

    /// <summary>The exchange will not complete here (superseded, moved, failed): waits for θ end with an exception, pulls with false.</summary>
    public void Abandon()
    {
        _abandoned = true;
        foreach (var arrived in _arrived) arrived.Set();
        foreach (var ready in _ready) ready.TrySetResult(false);
    }
}
