using System.Diagnostics;
using Thresher.Abstractions;
using Thresher.Core.Telemetry;

namespace Thresher.Grains;

/// <summary>
/// Counts a step's payload bytes at the call sites — θ out, gradients in — from the byte arrays' lengths, and adds them
/// to the <c>thresher.comm.bytes</c> counter. A part is remote when the worker's silo is not the parameter server's.
/// </summary>
static class StepTraffic
{
    /// <summary>The bytes of the calls that answered <paramref name="replies"/>, each of which carried <paramref name="thetaBytes"/> of θ.</summary>
    public static CommunicationBytes Of(IEnumerable<GradientResult> replies, long thetaBytes, string localSilo)
    {
        ArgumentNullException.ThrowIfNull(replies);
        var total = CommunicationBytes.Zero;
        foreach (var r in replies)
        {
            long g = r.Gradient.LongLength;
            bool remote = r.Silo != localSilo;
            total += new CommunicationBytes(r.ParametersReceivedBytes, g, g, thetaBytes, remote ? g : 0, remote ? thetaBytes : 0);
        }
        return total;
    }

    /// <summary>The parameter server's side of a step into the counter (by link: local or remote).</summary>
    public static void RecordServer(string runId, CommunicationBytes bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Add(runId, "parameter_server", "received", "remote", bytes.ServerRemoteReceived);
        Add(runId, "parameter_server", "received", "local", bytes.ServerReceived - bytes.ServerRemoteReceived);
        Add(runId, "parameter_server", "sent", "remote", bytes.ServerRemoteSent);
        Add(runId, "parameter_server", "sent", "local", bytes.ServerSent - bytes.ServerRemoteSent);
    }

    /// <summary>One worker call into the counter: θ received, gradient sent.</summary>
    public static void RecordWorker(string runId, long received, long sent)
    {
        Add(runId, "worker", "received", null, received);
        Add(runId, "worker", "sent", null, sent);
    }

    /// <summary>One aggregator call (--aggregate per-silo) into the counter: its workers' gradients received, its silo's sum sent.</summary>
    public static void RecordAggregator(string runId, long received, long sent)
    {
        Add(runId, "aggregator", "received", null, received);
        Add(runId, "aggregator", "sent", null, sent);
    }

    static void Add(string runId, string role, string direction, string? link, long bytes)
    {
        if (bytes == 0) return;
        var tags = new TagList { { TelemetryNames.RunId, runId }, { TelemetryNames.CommRole, role }, { TelemetryNames.CommDirection, direction } };
        if (link is not null) tags.Add(TelemetryNames.CommLink, link);
        TrainingTelemetry.CommunicationBytes.Add(bytes, tags);
    }
}
