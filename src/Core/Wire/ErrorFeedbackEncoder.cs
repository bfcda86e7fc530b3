using System.Runtime.InteropServices;
using Thresher.Core.Kernels;

namespace Thresher.Core.Wire;

/// <summary>
/// One worker's bf16 gradient encoder with error feedback (Seide et al. 2014, "1-bit SGD"; Karimireddy et al. 2019,
/// "Error feedback fixes SignSGD"): it sends q_t = bf16(g_t + e_{t−1}) and keeps e_t = (g_t + e_{t−1}) − q_t, so what
/// the rounding dropped this step is sent in a later one and Σ_t q_t = Σ_t g_t − e_T: the sum of what was sent trails the
/// sum of the true gradients by one residual, |e_T| ≤ ½ bf16 ulp of the last v, instead of drifting by a rounding per step.
/// A step encoded again (the parameter server retried the call) starts from the same e_{t−1} and gives the same bytes:
/// the residual before and after the last step are two buffers, swapped when a new step begins.
/// </summary>
public sealed class ErrorFeedbackEncoder
{
    float[] _before; // [P] e_{t−1}: the residual the last encoded step started from
    float[] _after;  // [P] e_t: the residual it left
    readonly byte[] _wire; // [2P] bf16 bytes, reused: the reader has finished with step t before step t + 1 is asked for
    long? _step;

    /// <param name="parameters">P, the gradient's length in floats.</param>
    public ErrorFeedbackEncoder(int parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        _before = new float[parameters];
        _after = new float[parameters];
        _wire = new byte[parameters * sizeof(ushort)];
    }

    /// <summary>The residual the last encoded step left (e_t), P floats; zero before the first.</summary>
    public ReadOnlySpan<float> Residual => _after;

    /// <summary>
    /// Encodes step <paramref name="step"/>'s gradient (P floats) with the residual, into a 2P-byte buffer this instance
    /// reuses. The same step again re-encodes from the same starting residual (a retry); any other step starts from the
    /// residual the last one left.
    /// </summary>
    public byte[] Encode(long step, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length != _after.Length)
            throw new ArgumentException($"the gradient has {gradient.Length} floats; the encoder was made for {_after.Length}", nameof(gradient));
        if (_step != step) (_before, _after) = (_after, _before);
        _step = step;
        Bf16.EncodeWithFeedback(MemoryMarshal.Cast<byte, ushort>(_wire.AsSpan()), _after, gradient, _before);
        return _wire;
    }
}
