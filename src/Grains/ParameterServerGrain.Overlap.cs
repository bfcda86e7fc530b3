using Thresher.Abstractions;
using Thresher.Core.Model;
using Thresher.Core.Wire;

namespace Thresher.Grains;

/// <summary>
/// Streamed exchanges (--overlap): θ goes to a worker in parts (w1's row blocks, then the rest; Core's
/// <see cref="StreamPlan"/>) beside the request, so the worker starts its forward pass on the first block while the rest
/// travels, and its gradient comes back in parts as its backward pass finishes them (the rest first, then w1's blocks),
/// each pulled with a call that the worker answers when the part is final. The parts are put together here into one
/// gradient per worker, so the step's rules see the same reply, with the same bits, as a whole exchange's.
/// </summary>
public sealed partial class ParameterServerGrain
{
    StreamPlan? _streamPlan;
    byte[][] _assembled = [];    // per worker: its streamed gradient put together (read by the step, rewritten next step)
    long _lastExchange;          // the last exchange id given out (ids only grow)
    bool[] _noneStreamed = [];   // --overlap off: no worker streams (kept, so the default step allocates nothing for it)

    /// <summary>Which workers stream this step (--overlap): none, all, or (auto) those whose last reply came from another silo.</summary>
    bool[] StreamedWorkers()
    {
        var mode = _config!.OverlapMode;
        if (mode == OverlapMode.Off) return _noneStreamed.Length == _workers.Length ? _noneStreamed : _noneStreamed = new bool[_workers.Length];
        string local = LocalSilo;
        var silos = _workerSilos is { } known && known.Length == _workers.Length ? known : null; // a fresh activation: none known yet
        var streamed = Enumerable.Range(0, _workers.Length)
            .Select(w => mode == OverlapMode.On || (mode == OverlapMode.Auto && silos is not null && silos[w] != local)).ToArray();
        if (streamed.Any(s => s))
        {
            _streamPlan ??= new StreamPlan(new ParameterLayout(_training!.Layers));
            if (_assembled.Length != _workers.Length) _assembled = [.. _workers.Select(_ => new byte[_theta.Length])];
        }
        return streamed;
    }

    /// <summary>Worker w's part of the step, whole or streamed, with <see cref="WorkerCalls"/>' retry rule either way.</summary>
    Task<GradientResult> AskWorker(int w, string runId, long batch, bool streamed) => streamed
        ? WorkerCalls.ComputeWithRetry(_workers[w], _setups[w], () => Exchange(_workers[w], new GradientRequest(runId, batch, w, []) { Exchange = NewExchangeId() }, _assembled[w]), WorkerTimeout)
        : WorkerCalls.ComputeWithRetry(_workers[w], _setups[w], new GradientRequest(runId, batch, w, _theta), WorkerTimeout);

    /// <summary>Remembers where each worker answered from, for auto's choice at the next step (the field is pre-aggregation's too).</summary>
    void RememberSilos(GradientResult[] replies)
    {
        if (_config!.OverlapMode == OverlapMode.Auto) _workerSilos = Array.ConvertAll(replies, r => r.Silo);
    }

    /// <summary>
    /// One streamed exchange: the request, θ's parts and the gradient's pulls, all sent at once. Null (ask again after a
    /// setup) when the worker was not set up or left the exchange (moved, superseded) and so did not produce every part.
    /// </summary>
    async Task<GradientResult?> Exchange(IWorkerGrain worker, GradientRequest request, byte[] assembled)
    {
        var plan = _streamPlan!;
        var compute = worker.ComputeGradient(request);
        var sends = new Task[plan.Count];
        for (int p = 0; p < plan.Count; p++) sends[p] = worker.ReceiveParameters(new ParameterPart(request.Exchange, p, _theta.AsMemory(plan.ByteOffset(p), plan.ByteLength(p))));
        var pulls = new Task<bool>[plan.Count];
        for (int i = 0; i < plan.Count; i++) pulls[i] = PullInto(worker, request.Exchange, (plan.Tail + i) % plan.Count, plan, assembled); // in the order the parts become final
        var result = await compute;
        await Task.WhenAll(sends);
        bool complete = (await Task.WhenAll(pulls)).All(got => got);
        return result is not null && complete ? result with { Gradient = assembled } : null;
    }

    static async Task<bool> PullInto(IWorkerGrain worker, long exchange, int part, StreamPlan plan, byte[] assembled)
    {
        if (await worker.PullGradient(exchange, part) is not { } pulled) return false;
        var bytes = pulled.Bytes;
        if (bytes.Length != plan.ByteLength(part))
            throw new InvalidOperationException($"exchange {exchange}: gradient part {part} has {bytes.Length} bytes; the plan says {plan.ByteLength(part)}");
        bytes.Span.CopyTo(assembled.AsSpan(plan.ByteOffset(part))); // at once: in-silo the bytes are the worker's gradient itself
        return true;
    }

    /// <summary>
    /// An id above every earlier exchange's, so a worker can tell a late message of a superseded exchange from a new
    /// exchange: this activation's last id + 1, or the clock's ticks when later (a re-activated parameter server, on
    /// whichever silo, goes on above its predecessor's ids as far as the silos' clocks agree).
    /// </summary>
    long NewExchangeId() => _lastExchange = Math.Max(_lastExchange + 1, DateTime.UtcNow.Ticks);
}
