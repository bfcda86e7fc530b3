namespace Thresher.Abstractions;

/// <summary>
/// Payload bytes one step moved, by role and direction, measured at the call sites from the lengths of the θ and
/// gradient byte arrays (float32: 4 bytes per parameter). Orleans' own framing (message headers, the request's
/// run id, step and worker fields, the reply's statistics: a few hundred bytes per call) is not counted; neither are
/// the lost attempts of a retried call (the attempt that answered is).
/// </summary>
/// <param name="WorkerReceived">θ bytes the step's workers received, summed over workers (each measured its request).</param>
/// <param name="WorkerSent">Gradient bytes the workers sent, summed over workers.</param>
/// <param name="ServerReceived">Gradient bytes the parameter server received (a replayed part included).</param>
/// <param name="ServerSent">θ bytes the parameter server sent.</param>
/// <param name="ServerRemoteReceived">The part of <paramref name="ServerReceived"/> from workers on another silo: it crossed a network
/// link (a call inside one silo copies nothing: the payloads are [Immutable]).</param>
/// <param name="ServerRemoteSent">The part of <paramref name="ServerSent"/> to workers on another silo.</param>
[GenerateSerializer, Immutable]
public sealed record CommunicationBytes(
    [property: Id(0)] long WorkerReceived,
    [property: Id(1)] long WorkerSent,
    [property: Id(2)] long ServerReceived,
    [property: Id(3)] long ServerSent,
    [property: Id(4)] long ServerRemoteReceived,
    [property: Id(5)] long ServerRemoteSent)
{
    public static CommunicationBytes Zero { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Pre-aggregated runs (--aggregate per-silo): gradient bytes the silos' aggregators received from their workers.</summary>
    [Id(130)] public long AggregatorReceived { get; init; }

    /// <summary>Pre-aggregated runs: gradient bytes (one partial sum per silo) the aggregators sent to the parameter server.</summary>
    [Id(131)] public long AggregatorSent { get; init; }

    /// <summary>The part of <see cref="AggregatorReceived"/> from workers on another silo than their aggregator's (a worker that moved).</summary>
    [Id(132)] public long AggregatorRemoteReceived { get; init; }

    public static CommunicationBytes operator +(CommunicationBytes a, CommunicationBytes b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.WorkerReceived + b.WorkerReceived, a.WorkerSent + b.WorkerSent, a.ServerReceived + b.ServerReceived,
            a.ServerSent + b.ServerSent, a.ServerRemoteReceived + b.ServerRemoteReceived, a.ServerRemoteSent + b.ServerRemoteSent)
        {
            AggregatorReceived = a.AggregatorReceived + b.AggregatorReceived,
            AggregatorSent = a.AggregatorSent + b.AggregatorSent,
            AggregatorRemoteReceived = a.AggregatorRemoteReceived + b.AggregatorRemoteReceived,
        };
    }

    /// <summary>Each field divided by <paramref name="steps"/> (≥ 1), rounded to the nearest byte: the mean per step of a sum over steps.</summary>
    public CommunicationBytes PerStep(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        long D(long v) => (long)Math.Round((double)v / steps);
        return new(D(WorkerReceived), D(WorkerSent), D(ServerReceived), D(ServerSent), D(ServerRemoteReceived), D(ServerRemoteSent))
        {
            AggregatorReceived = D(AggregatorReceived), AggregatorSent = D(AggregatorSent), AggregatorRemoteReceived = D(AggregatorRemoteReceived),
        };
    }
}
