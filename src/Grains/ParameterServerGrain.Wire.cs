using Thresher.Abstractions;
using Thresher.Core.Wire;

namespace Thresher.Grains;

/// <summary>The parameter server's side of the gradient's wire format (--wire): bf16 parts decoded to float32.</summary>
public sealed partial class ParameterServerGrain
{
    byte[]?[] _decoded = []; // [W][4P]: each worker's bf16 gradient decoded, reused every step (read until the next step's replies)

    /// <summary>
    /// Reply <paramref name="reply"/>'s gradient as float32 bytes: the reply's own (fp32: the bits the worker sent, so the
    /// trajectory is today's) or its bf16 values decoded, exactly, into its worker's buffer. The format is read from the
    /// length (<see cref="WireFormats.ToFloat32"/>). Not fused into the sum: the decode is one pass over 2P bytes per worker.
    /// </summary>
    byte[] Float32Gradient(GradientResult reply)
    {
        if (reply.Gradient.LongLength == _theta.LongLength) return reply.Gradient;
        if (_decoded.Length != _workers.Length) _decoded = new byte[]?[_workers.Length];
        return WireFormats.ToFloat32(reply.Gradient, _decoded[reply.Worker] ??= new byte[_theta.Length]);
    }
}
