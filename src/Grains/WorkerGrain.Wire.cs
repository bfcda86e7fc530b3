using System.Runtime.InteropServices;
using Thresher.Abstractions;
using Thresher.Core.Wire;

namespace Thresher.Grains;

/// <summary>The worker's side of the gradient's wire format (--wire): what goes into the reply, and its bytes counted.</summary>
public sealed partial class WorkerGrain
{
    // --wire bf16: this activation's error-feedback residual (P floats). A fresh activation (re-placed after its silo died)
    // starts from zero: bf16 promises no trajectory, and the residual is at most half a bf16 ulp per element.
    ErrorFeedbackEncoder? _encoder;

    /// <summary>
    /// The reply as it goes on the wire, its bytes counted: with bf16 (and <paramref name="encode"/>) the gradient is
    /// encoded with error feedback into 2 bytes per parameter; a replay (another worker's part, compared to 1e-5) and a
    /// sharded run's pushes stay float32.
    /// </summary>
    GradientResult Sent(string runId, GradientResult computed, bool encode)
    {
        var sent = computed;
        if (encode && _setup!.Config.WireFormat == WireFormat.Bf16)
        {
            _encoder ??= new ErrorFeedbackEncoder(_worker!.ParameterCount);
            sent = computed with { Gradient = _encoder.Encode(computed.Step, MemoryMarshal.Cast<byte, float>(computed.Gradient.AsSpan())) };
        }
        StepTraffic.RecordWorker(runId, computed.ParametersReceivedBytes, sent.Gradient.LongLength);
        return sent;
    }
}
